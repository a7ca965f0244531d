package io.mesoslb.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random sequences of {@link RouteTableHolder#updateGroups}, {@link RouteTableHolder#update} and
 * {@link RouteTableHolder#setStaticApps}: after every step the published table is the one a build
 * from scratch gives for the same apps, and every app that did not change keeps its route object
 * (its rotation and its backends' ejection and in-flight state with it).
 */
class IncrementalTablePropertyTest {
    private static final String[] HOSTS = {"shared.example.com", "other.example.com", "g1.example.com",
            "admin.example.com"};
    private static final int[] PORTS = {10_000, 10_001, 10_002};

    private final VhostNaming naming = new VhostNaming("example.com");
    private final RouteTableBuilder builder = new RouteTableBuilder(naming, Ticker.SYSTEM);

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void incrementalTableEqualsAFromScratchBuild(long seed) {
        Random random = new Random(seed);
        AppGroups served = seed % 3 == 0 ? AppGroups.of(List.of("ext")) : AppGroups.ALL;
        RouteTableHolder holder = new RouteTableHolder(naming, served);
        final TreeMap<String, List<App>> groups = new TreeMap<>();
        List<App> statics = List.of();
        Set<String> namedApps = new HashSet<>();
        Set<Integer> namedPorts = new HashSet<>();
        holder.addListener(change -> {
            namedApps.addAll(change.apps());
            namedPorts.addAll(change.servicePorts());
        });
        for (int step = 0; step < 100; step++) {
            namedApps.clear();
            namedPorts.clear();
            RouteTable before = holder.current();
            Map<String, App> effectiveBefore = effective(statics, groups, served);
            Map<String, Integer> cursorsBefore = new LinkedHashMap<>();
            before.routes().forEach(r -> cursorsBefore.put(r.appId(), r.cursor().nextIndex(1_000_000)));
            // Some state to keep: an ejection and a request in flight on a random backend.
            for (Route r : before.routes()) {
                if (!r.isEmpty() && random.nextInt(4) == 0) {
                    r.states()[random.nextInt(r.size())].ejectUntil(System.nanoTime() + 60_000_000_000L);
                }
            }
            boolean staticsChanged = false;
            int op = random.nextInt(20);
            if (op == 0) {
                statics = random.nextBoolean() ? List.of() : List.of(new App("/_admin", RouteSpec.forHosts(
                        HOSTS[3 - random.nextInt(2)]), List.of(Fixtures.backend("/_admin", 0))));
                holder.setStaticApps(statics);
                staticsChanged = true;
            } else if (op < 4) {
                TreeMap<String, List<App>> next = new TreeMap<>();
                for (List<App> apps : groups.values()) {
                    for (App app : apps) {
                        if (random.nextInt(5) > 0) {
                            next.computeIfAbsent(app.id(), id -> new ArrayList<>()).add(
                                    random.nextInt(4) == 0 ? randomApp(random, app.id()) : app);
                        }
                    }
                }
                if (random.nextBoolean()) {
                    App added = randomApp(random, "/new" + random.nextInt(5));
                    next.computeIfAbsent(added.id(), id -> new ArrayList<>()).add(added);
                }
                List<App> all = new ArrayList<>();
                next.values().forEach(all::addAll);
                holder.update(all);
                groups.clear();
                groups.putAll(next);
            } else {
                Map<String, List<App>> changed = new LinkedHashMap<>();
                int n = 1 + random.nextInt(3);
                for (int i = 0; i < n; i++) {
                    String group = "/g" + random.nextInt(8);
                    changed.put(group, random.nextInt(6) == 0 ? List.of() : randomGroup(random, group));
                }
                holder.updateGroups(changed);
                changed.forEach((g, apps) -> {
                    if (apps.isEmpty()) {
                        groups.remove(g);
                    } else {
                        groups.put(g, apps);
                    }
                });
            }
            RouteTable now = holder.current();
            List<App> reported = new ArrayList<>();
            groups.values().forEach(reported::addAll);
            RouteTable scratch = builder.build(statics, served.select(reported), RouteTable.EMPTY, 1);
            String where = "seed " + seed + " step " + step;
            assertSameTable(now, scratch, where);
            assertChangeNamed(before, now, namedApps, namedPorts, where);

            Map<String, App> effectiveNow = effective(statics, groups, served);
            for (Route r : now.routes()) {
                Route old = before.routeForApp(r.appId());
                if (old == null) {
                    continue;
                }
                // The rotation goes on where it was: the cursor is the old route's.
                assertThat(r.cursor()).as(where).isSameAs(old.cursor());
                if (!staticsChanged && Objects.equals(effectiveBefore.get(r.appId()), effectiveNow.get(r.appId()))) {
                    assertThat(r).as(where + " unchanged " + r.appId()).isSameAs(old);
                    assertThat(r.cursor().nextIndex(1_000_000)).isEqualTo(cursorsBefore.get(r.appId()) + 1);
                }
                Map<Backend, BackendState> oldStates = new LinkedHashMap<>();
                old.backends().forEach(s -> oldStates.put(s.backend(), s));
                for (BackendState s : r.backends()) {
                    if (oldStates.containsKey(s.backend())) {
                        assertThat(s).as(where + " state of " + s.backend()).isSameAs(oldStates.get(s.backend()));
                    }
                }
            }
        }
    }

    /** Listeners look only at what a publication names: it must name every route and port owner that differs. */
    private static void assertChangeNamed(RouteTable before, RouteTable now, Set<String> apps, Set<Integer> ports,
                                          String where) {
        Set<String> ids = new HashSet<>();
        before.routes().forEach(r -> ids.add(r.appId()));
        now.routes().forEach(r -> ids.add(r.appId()));
        for (String id : ids) {
            if (before.routeForApp(id) != now.routeForApp(id)) {
                assertThat(apps).as(where + ": changed route of " + id + " named").contains(id);
            }
        }
        Set<Integer> all = new HashSet<>(before.servicePorts().keySet());
        all.addAll(now.servicePorts().keySet());
        for (int port : all) {
            if (before.servicePortRoute(port) != now.servicePortRoute(port)) {
                assertThat(ports).as(where + ": changed owner of port " + port + " named").contains(port);
            }
        }
    }

    /** The apps routed by id, as the holder documents it: static first, then the first group in key order. */
    private static Map<String, App> effective(List<App> statics, TreeMap<String, List<App>> groups, AppGroups served) {
        Map<String, App> m = new LinkedHashMap<>();
        statics.forEach(a -> m.putIfAbsent(a.id(), a));
        groups.values().forEach(apps -> served.select(apps).forEach(a -> m.putIfAbsent(a.id(), a)));
        return m;
    }

    static void assertSameTable(RouteTable now, RouteTable scratch, String where) {
        assertThat(now.sameContent(scratch)).as(where + ": " + now.routes() + " vs " + scratch.routes()).isTrue();
        assertThat(now.conflicts()).as(where).isEqualTo(scratch.conflicts());
        assertThat(now.pathRoutes()).as(where).isEqualTo(scratch.pathRoutes());
        assertThat(now.hostCount()).as(where).isEqualTo(scratch.hostCount());
        assertThat(appIds(now.hosts())).as(where).isEqualTo(appIds(scratch.hosts()));
        assertThat(appIds(now.servicePorts())).as(where).isEqualTo(appIds(scratch.servicePorts()));
        assertThat(List.copyOf(now.servicePorts().keySet())).isEqualTo(List.copyOf(scratch.servicePorts().keySet()));
        for (Route r : scratch.routes()) {
            Route mine = now.routeForApp(r.appId());
            assertThat(mine).as(where).isNotNull();
            assertThat(mine.sameContent(r)).as(where).isTrue();
            for (String host : r.vhosts()) {
                assertThat(id(now.lookup(host))).as(where + " " + host).isEqualTo(id(scratch.lookup(host)));
                for (String path : List.of("/", "/api/x", "/docs")) {
                    assertThat(id(now.lookup(host.toUpperCase() + ":80", path)))
                            .isEqualTo(id(scratch.lookup(host, path)));
                }
            }
            if (r.servicePort() != null) {
                int port = r.servicePort().port();
                assertThat(id(now.servicePortRoute(port))).isEqualTo(id(scratch.servicePortRoute(port)));
            }
        }
        for (String host : HOSTS) {
            assertThat(id(now.lookup(host))).as(where + " " + host).isEqualTo(id(scratch.lookup(host)));
        }
        // Whatever a table holds is the table's own route object for that app.
        Set<Route> own = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        own.addAll(now.routes());
        assertThat(own).containsAll(now.hosts().values()).containsAll(now.servicePorts().values());
    }

    private static <K> Map<K, String> appIds(Map<K, Route> m) {
        Map<K, String> out = new TreeMap<>();
        m.forEach((k, r) -> out.put(k, r.appId()));
        return out;
    }

    private static String id(Route r) {
        return r == null ? null : r.appId();
    }

    private static List<App> randomGroup(Random random, String group) {
        List<App> apps = new ArrayList<>();
        apps.add(randomApp(random, group));
        for (int i = 1; i < 3 && random.nextInt(3) == 0; i++) {
            apps.add(randomApp(random, group + "#" + i));
        }
        if (random.nextInt(10) == 0) {
            apps.add(randomApp(random, "/g" + random.nextInt(8))); // an id another group produces too
        }
        return apps;
    }

    private static App randomApp(Random random, String id) {
        RouteSpec spec = RouteSpec.DEFAULT;
        if (random.nextInt(3) == 0) {
            spec = RouteSpec.forHosts(HOSTS[random.nextInt(HOSTS.length)]);
            if (random.nextInt(4) == 0) {
                spec = spec.withVhosts(List.of(HOSTS[random.nextInt(HOSTS.length)], HOSTS[random.nextInt(HOSTS.length)]));
            }
        }
        if (random.nextInt(4) == 0) {
            spec = spec.withPaths(random.nextBoolean() ? List.of("/api") : List.of("/api", "/docs"));
        }
        spec = spec.withWeight(random.nextInt(3));
        if (random.nextInt(3) == 0) {
            spec = spec.withServicePort(ServicePort.of(PORTS[random.nextInt(PORTS.length)], ServicePort.Mode.HTTP));
            if (random.nextInt(4) == 0) {
                spec = spec.withoutHostRoute();
            }
        }
        if (random.nextInt(3) > 0) {
            spec = spec.withGroups(Set.of(random.nextBoolean() ? "ext" : "int"));
        }
        List<Backend> backends = new ArrayList<>();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            backends.add(Fixtures.backend(id, random.nextInt(5)));
        }
        return new App(id, spec, backends);
    }
}
