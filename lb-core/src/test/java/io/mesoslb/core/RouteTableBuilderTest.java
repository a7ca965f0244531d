package io.mesoslb.core;

import static io.mesoslb.core.Fixtures.app;
import static io.mesoslb.core.Fixtures.backend;
import static io.mesoslb.core.Fixtures.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTableBuilderTest {
    private final RouteTableBuilder builder = new RouteTableBuilder(new VhostNaming("example.com"), Ticker.SYSTEM);

    private RouteTable build(List<App> apps) {
        return builder.build(apps, RouteTable.EMPTY, 1);
    }

    @Test
    void conflictingVhostGoesToTheFirstAppByIdWhateverTheInputOrder() {
        App a = app("/a", 1, vhost("shared.example.net,a.example.net"));
        App b = app("/b", 1, vhost("shared.example.net"));
        for (List<App> order : List.of(List.of(a, b), List.of(b, a))) {
            RouteTable t = build(order);
            assertThat(t.lookup("shared.example.net").appId()).isEqualTo("/a");
            assertThat(t.lookup("a.example.net").appId()).isEqualTo("/a");
            assertThat(t.routes()).extracting(Route::appId).containsExactly("/a", "/b");
        }
    }

    @Test
    void routesAreSortedByAppIdAndBackendsByTaskIdWithoutDuplicates() {
        Backend b0 = backend("/x", 0);
        Backend b1 = backend("/x", 1);
        Backend b2 = backend("/x", 2);
        RouteTable t = build(List.of(app("/z", 1), app("/x", RouteSpec.DEFAULT, b2, b0, b1, b0), app("/m", 1)));
        assertThat(t.routes()).extracting(Route::appId).containsExactly("/m", "/x", "/z");
        assertThat(t.routeForApp("/x").backends()).extracting(BackendState::backend).containsExactly(b0, b1, b2);
        assertThat(t.hosts().keySet()).containsExactlyInAnyOrder("m.example.com", "x.example.com", "z.example.com");
    }

    @Test
    void appsWithoutVhostOrBackendsAreRoutesButNotHosts() {
        RouteTable t = build(List.of(app("/bad app", 1), new App("/empty", List.of())));
        assertThat(t.routes()).extracting(Route::appId).containsExactly("/bad app", "/empty");
        assertThat(t.hosts()).containsOnlyKeys("empty.example.com");
        assertThat(t.lookup("empty.example.com").select()).isNull();
        assertThat(t.lookup("empty.example.com").isEmpty()).isTrue();
    }

    @Test
    void aRouteWithoutAHostNameForWantOfADomainOrVhostIsHostless() {
        RouteTableBuilder noDomain = new RouteTableBuilder(new VhostNaming(null), Ticker.SYSTEM);
        RouteSpec servicePortOnly = RouteSpec.DEFAULT.withServicePort(ServicePort.of(10001, ServicePort.Mode.TCP))
                .withoutHostRoute();
        RouteTable t = noDomain.build(List.of(app("/plain", 1), app("/named", 1, vhost("named.example.net")),
                new App("/db", servicePortOnly, List.of(backend("/db", 0))),
                new App("/tcp", RouteSpec.DEFAULT.withServicePort(ServicePort.of(10002, ServicePort.Mode.TCP)),
                        List.of(backend("/tcp", 0)))), RouteTable.EMPTY, 1);

        assertThat(t.routes()).filteredOn(Route::hostless).extracting(Route::appId).containsExactly("/plain", "/tcp");
        assertThat(build(List.of(app("/plain", 1), app("/bad app", 1))).routes())
                .as("with a domain, only an id that makes no valid name leaves a route hostless")
                .filteredOn(Route::hostless).extracting(Route::appId).containsExactly("/bad app");
    }

    @Test
    void aRouteThatLosesItsHostsToAReservedAppIsNotHostless() {
        App admin = new App("/admin", RouteSpec.forHosts("admin.example.com"), List.of());
        RouteTable t = builder.build(List.of(admin), List.of(app("/thief", 1, vhost("admin.example.com"))),
                RouteTable.EMPTY, 1);

        assertThat(t.routeForApp("/thief").vhosts()).isEmpty();
        assertThat(t.routeForApp("/thief").hostless()).isFalse();
    }

    @Test
    void duplicateAppIdKeepsTheFirstOccurrence() {
        RouteTable t = build(List.of(app("/dup", 1, vhost("one.example.net")), app("/dup", 2, vhost("two.example.net"))));
        assertThat(t.routes()).hasSize(1);
        assertThat(t.routeForApp("/dup").size()).isEqualTo(1);
        assertThat(t.hosts()).containsOnlyKeys("one.example.net");
    }

    @Test
    void backendStateAndCursorAreCarriedAcrossBuildsAndForgottenWhenTheBackendLeaves() {
        RouteTable first = build(List.of(app("/x", 3)));
        Route r1 = first.routeForApp("/x");
        BackendState s0 = r1.backends().get(0);
        BackendState s2 = r1.backends().get(2);
        s2.ejectUntil(Long.MAX_VALUE);

        Backend added = backend("/x", 3);
        RouteTable second = builder.build(List.of(app("/x", RouteSpec.DEFAULT, backend("/x", 0), backend("/x", 1), added)), first, 2);
        Route r2 = second.routeForApp("/x");
        assertThat(r2.cursor()).isSameAs(r1.cursor());
        assertThat(r2.backends().get(0)).isSameAs(s0);
        assertThat(r2.backends()).extracting(BackendState::backend).doesNotContain(s2.backend());
        BackendState fresh = r2.backends().get(2);
        assertThat(fresh.backend()).isEqualTo(added);
        assertThat(fresh.hasEjection()).isFalse();

        // s2's backend comes back later: it starts afresh, its old ejection is not resurrected.
        RouteTable third = builder.build(List.of(app("/x", 3)), second, 3);
        assertThat(third.routeForApp("/x").backends().get(2)).isNotSameAs(s2);
        assertThat(third.routeForApp("/x").backends().get(2).hasEjection()).isFalse();
    }

    @Test
    void everyRemainingBackendKeepsItsStateWhateverLeavesOrArrives() {
        RouteTable first = build(List.of(app("/x", 40)));
        Map<Backend, BackendState> before = new java.util.HashMap<>();
        first.routeForApp("/x").backends().forEach(s -> before.put(s.backend(), s));

        List<Backend> next = new java.util.ArrayList<>();
        for (int i = 45; i >= 0; i--) {
            if (i % 3 != 0) {
                next.add(backend("/x", i));
                next.add(backend("/x", i)); // duplicates in discovery output are tolerated
            }
        }
        RouteTable second = builder.build(List.of(new App("/x", next)), first, 2);
        List<BackendState> states = second.routeForApp("/x").backends();
        assertThat(states).hasSize(30);
        for (BackendState s : states) {
            if (before.containsKey(s.backend())) {
                assertThat(s).isSameAs(before.get(s.backend()));
            } else {
                assertThat(s.backend().taskId()).isIn("x.40", "x.41", "x.43", "x.44");
            }
        }
    }

    @Test
    void anAppThatLeavesAndReturnsStartsANewRotation() {
        RouteTable first = build(List.of(app("/x", 2)));
        RouteTable gone = builder.build(List.of(), first, 2);
        RouteTable back = builder.build(List.of(app("/x", 2)), gone, 3);
        assertThat(back.routeForApp("/x").cursor()).isNotSameAs(first.routeForApp("/x").cursor());
    }

    @Test
    void sameContentIgnoresInputOrderButSeesBackendAndVhostChanges() {
        RouteTable t = build(List.of(app("/a", 2), app("/b", 1)));
        assertThat(build(List.of(app("/b", 1), app("/a", 2))).sameContent(t)).isTrue();
        assertThat(build(List.of(app("/a", 3), app("/b", 1))).sameContent(t)).isFalse();
        assertThat(build(List.of(app("/a", 2), app("/b", 1, vhost("b.example.net")))).sameContent(t)).isFalse();
        assertThat(build(List.of(app("/a", 2))).sameContent(t)).isFalse();
    }
}
