package io.mesoslb.core;

import static io.mesoslb.core.Fixtures.app;
import static io.mesoslb.core.Fixtures.vhost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Service ports in the table: who owns each, and routes reachable only on theirs. */
class ServicePortTableTest {
    private final RouteTableBuilder builder = new RouteTableBuilder(new VhostNaming("example.com"), Ticker.SYSTEM);

    private RouteTable build(List<App> apps) {
        return builder.build(apps, RouteTable.EMPTY, 1);
    }

    private static RouteSpec tcp(int port) {
        return RouteSpec.DEFAULT.withServicePort(ServicePort.of(port, ServicePort.Mode.TCP));
    }

    @Test
    void aServicePortLeadsToItsRouteAndNothingElseDoes() {
        RouteTable t = build(List.of(app("/redis", 2, tcp(10001)), app("/www", 1, vhost("www.example.net"))));
        assertThat(t.servicePortRoute(10001).appId()).isEqualTo("/redis");
        assertThat(t.servicePortRoute(10001).servicePort()).isEqualTo(ServicePort.of(10001, ServicePort.Mode.TCP));
        assertThat(t.servicePortRoute(10002)).isNull();
        assertThat(t.servicePortRoute(0)).isNull();
        assertThat(t.servicePortRoute(-1)).isNull();
        assertThat(t.servicePorts()).containsOnlyKeys(10001);
        assertThat(t.routeForApp("/www").servicePort()).isNull();
        assertThat(t.conflicts()).isEmpty();
    }

    @Test
    void manyPortsAreAllFoundAndListedInOrder() {
        List<App> apps = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            // Ports that collide in a small open-addressing table, in no particular order.
            apps.add(app("/a" + i, 1, tcp(1 + (i * 7919) % 65_000)));
        }
        RouteTable t = build(apps);
        for (int i = 0; i < 300; i++) {
            assertThat(t.servicePortRoute(1 + (i * 7919) % 65_000).appId()).isEqualTo("/a" + i);
        }
        assertThat(new ArrayList<>(t.servicePorts().keySet())).isSorted().hasSize(300);
        assertThat(t.servicePortRoute(65_535)).isNull();
    }

    @Test
    void twoAppsOnOnePortTheFirstRouteIdWinsWhateverTheOrderAndTheConflictIsListed() {
        App a = app("/a", 1, tcp(10001));
        App b = app("/b", 1, tcp(10001).withVhosts(List.of("b.example.net")));
        App c = app("/c", 1, tcp(10001));
        for (List<App> order : List.of(List.of(a, b, c), List.of(c, b, a))) {
            RouteTable t = build(order);
            assertThat(t.servicePortRoute(10001).appId()).isEqualTo("/a");
            assertThat(t.conflicts()).containsExactly(RouteConflict.forServicePort(10001, "/a", List.of("/b", "/c")));
            RouteConflict conflict = t.conflicts().get(0);
            assertThat(conflict.isServicePort()).isTrue();
            assertThat(conflict.servicePort()).isEqualTo(10001);
            assertThat(conflict.where()).isEqualTo("service port 10001");
            // The loser keeps what else it has: its host.
            assertThat(t.lookup("b.example.net").appId()).isEqualTo("/b");
        }
        assertThat(new RouteConflict("h.example.net", "", "/a", List.of("/b")).isServicePort()).isFalse();
    }

    @Test
    void aClaimantWithNoBackendDoesNotHideOneWithBackends() {
        RouteTable t = build(List.of(new App("/a", tcp(10001), List.of()), app("/b", 1, tcp(10001))));
        assertThat(t.servicePortRoute(10001).appId()).isEqualTo("/b");
        assertThat(t.conflicts()).containsExactly(RouteConflict.forServicePort(10001, "/b", List.of("/a")));
    }

    @Test
    void anAppScaledToZeroKeepsItsPort() {
        RouteTable before = build(List.of(app("/redis", 2, tcp(10001))));
        RouteTable after = builder.build(List.of(new App("/redis", tcp(10001), List.of())), before, 2);
        Route r = after.servicePortRoute(10001);
        assertThat(r).isNotNull();
        assertThat(r.isEmpty()).isTrue();
        assertThat(r.select()).isNull();
    }

    @Test
    void aRouteWithoutHostRouteAnswersNoHostNotEvenItsDerivedName() {
        RouteSpec portOnly = tcp(10002).withoutHostRoute();
        RouteSpec named = tcp(10003).withVhosts(List.of("named.example.net")).withoutHostRoute();
        RouteTable t = build(List.of(app("/db", 1, portOnly), app("/named", 1, named), app("/web", 1)));
        assertThat(t.routeForApp("/db").vhosts()).isEmpty();
        assertThat(t.lookup("db.example.com")).isNull();
        assertThat(t.lookup("db.example.com", "/")).isNull();
        assertThat(t.lookup("named.example.net")).as("not even an explicit host").isNull();
        assertThat(t.hosts()).containsOnlyKeys("web.example.com");
        assertThat(t.servicePortRoute(10002).appId()).isEqualTo("/db");
        assertThat(t.servicePortRoute(10003).appId()).isEqualTo("/named");
    }

    @Test
    void specBuildersKeepTheServicePortAndHostRoute() {
        ServicePort port = new ServicePort(10001, "10.0.0.42", ServicePort.Mode.HTTP, true);
        RouteSpec s = RouteSpec.DEFAULT.withServicePort(port).withoutHostRoute();
        RouteSpec changed = s.withVhosts(List.of("x.example.net")).withPaths(List.of("/p"))
                .withOptions(RouteOptions.of(true, false)).withGroups(java.util.Set.of("g")).withWeight(3);
        assertThat(changed.servicePort()).isEqualTo(port);
        assertThat(changed.hostRouted()).isFalse();
        assertThat(RouteSpec.DEFAULT.servicePort()).isNull();
        assertThat(RouteSpec.DEFAULT.hostRouted()).isTrue();
        assertThat(new RouteSpec(List.of(), List.of(), null, null, 0).hostRouted()).isTrue();
    }

    @Test
    void aServicePortIsAPortNumberAndAMode() {
        assertThatThrownBy(() -> ServicePort.of(0, ServicePort.Mode.TCP)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServicePort.of(65_536, ServicePort.Mode.TCP)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServicePort.of(80, null)).isInstanceOf(NullPointerException.class);
        assertThat(ServicePort.of(65_535, ServicePort.Mode.HTTP).bindHost()).isNull();
        assertThat(new ServicePort(1, "  ", ServicePort.Mode.TCP, false).bindHost()).isNull();
    }

    @Test
    void aChangedServicePortIsAChangedTable() {
        RouteTable a = build(List.of(app("/x", 1, tcp(10001))));
        RouteTable same = build(List.of(app("/x", 1, tcp(10001))));
        RouteTable moved = build(List.of(app("/x", 1, tcp(10002))));
        RouteTable http = build(List.of(app("/x", 1,
                RouteSpec.DEFAULT.withServicePort(ServicePort.of(10001, ServicePort.Mode.HTTP)))));
        assertThat(a.sameContent(same)).isTrue();
        assertThat(a.sameContent(moved)).isFalse();
        assertThat(a.sameContent(http)).isFalse();
    }
}
