package io.mesoslb.core;

import static io.mesoslb.core.Fixtures.app;
import static io.mesoslb.core.Fixtures.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Who gets a host or path that several apps claim (through {@link RouteTableBuilder}). */
class HostClaimsTest {
    private final RouteTableBuilder builder = new RouteTableBuilder(new VhostNaming("example.com"), Ticker.SYSTEM);

    private RouteTable build(App... apps) {
        return builder.build(List.of(apps), RouteTable.EMPTY, 1);
    }

    @Test
    void anExplicitVhostBeatsOneDerivedFromAnAppId() {
        // "/api" sorts first, but only derives api.example.com; "/web" asked for it by name.
        App derived = app("/api", 1);
        App named = app("/web", 1, vhost("api.example.com"));
        RouteTable t = build(derived, named);
        assertThat(t.lookup("api.example.com").appId()).isEqualTo("/web");
        assertThat(t.conflicts()).containsExactly(new RouteConflict("api.example.com", "", "/web", List.of("/api")));
    }

    @Test
    void higherWeightWinsThenAppId() {
        App a = app("/a", 1, vhost("shared.example.net"));
        App b = app("/b", 1, vhost("shared.example.net").withWeight(5));
        App c = app("/c", 1, vhost("shared.example.net").withWeight(5));
        RouteTable t = build(c, a, b);
        assertThat(t.lookup("shared.example.net").appId()).isEqualTo("/b");
        assertThat(t.conflicts()).singleElement().satisfies(x -> assertThat(x.losers()).containsExactly("/c", "/a"));
    }

    @Test
    void aPathRouteOfWeightZeroRanksAsOneLikeMarathonLbsSetPath() {
        App weightOne = app("/a", 1, vhost("shared.example.net").withPaths(List.of("/x")).withWeight(1));
        App unset = app("/b", 1, vhost("shared.example.net").withPaths(List.of("/x")));
        App negative = app("/0", 1, vhost("shared.example.net").withPaths(List.of("/x")).withWeight(-1));
        RouteTable t = build(negative, unset, weightOne);
        assertThat(t.lookup("shared.example.net", "/x/1").appId()).isEqualTo("/a");
        assertThat(t.conflicts()).singleElement()
                .isEqualTo(new RouteConflict("shared.example.net", "/x", "/a", List.of("/b", "/0")));
    }

    @Test
    void aClaimantWithoutBackendsDoesNotHideTheNextOne() {
        App empty = app("/a", 0, vhost("shared.example.net"));
        App serving = app("/b", 2, vhost("shared.example.net"));
        RouteTable t = build(empty, serving);
        assertThat(t.lookup("shared.example.net").appId()).isEqualTo("/b");
        assertThat(t.conflicts()).containsExactly(new RouteConflict("shared.example.net", "", "/b", List.of("/a")));

        // Once /a has a task again it takes the host back.
        RouteTable next = builder.build(List.of(app("/a", 1, vhost("shared.example.net")), serving), t, 2);
        assertThat(next.lookup("shared.example.net").appId()).isEqualTo("/a");
        assertThat(next.sameContent(t)).isFalse();
    }

    @Test
    void whenNoClaimantHasBackendsTheBestRankedKeepsTheHost() {
        RouteTable t = build(app("/b", 0, vhost("shared.example.net").withWeight(2)), app("/a", 0, vhost("shared.example.net")));
        assertThat(t.lookup("shared.example.net").appId()).isEqualTo("/b");
        assertThat(t.lookup("shared.example.net").isEmpty()).isTrue();
    }

    @Test
    void aConflictIsLoggedOnceNotOnEveryRebuild() {
        Logger logger = (Logger) LoggerFactory.getLogger(RouteTableBuilder.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            List<App> apps = List.of(app("/a", 1, vhost("shared.example.net")), app("/b", 1, vhost("shared.example.net")));
            RouteTable t = builder.build(apps, RouteTable.EMPTY, 1);
            for (int v = 2; v < 5; v++) {
                t = builder.build(apps, t, v);
            }
            assertThat(logged.list).filteredOn(e -> e.getFormattedMessage().contains("shared.example.net")).hasSize(1);

            // /a loses its last task: the outcome changes, which is news.
            builder.build(List.of(app("/a", 0, vhost("shared.example.net")), apps.get(1)), t, 5);
            assertThat(logged.list).filteredOn(e -> e.getFormattedMessage().contains("shared.example.net")).hasSize(2);
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void uncontestedHostsAreNoConflict() {
        RouteTable t = build(app("/a", 1), app("/b", 1, vhost("b.example.net").withPaths(List.of("/p"))),
                app("/c", 1, vhost("b.example.net").withPaths(List.of("/q"))));
        assertThat(t.conflicts()).isEmpty();
    }
}
