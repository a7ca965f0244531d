package io.mesoslb.core;

import java.util.ArrayList;
import java.util.List;

final class Fixtures {
    private Fixtures() {
    }

    /** Task {@code i} of {@code appId}, on its own address. */
    static Backend backend(String appId, int i) {
        return new Backend("10.0." + (i / 250) + "." + (i % 250 + 1), 31_000 + i, appId.substring(1).replace('/', '_') + "." + i, appId);
    }

    static App app(String appId, int tasks) {
        return app(appId, tasks, RouteSpec.DEFAULT);
    }

    static App app(String appId, int tasks, RouteSpec spec) {
        List<Backend> backends = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            backends.add(backend(appId, i));
        }
        return new App(appId, spec, backends);
    }

    static App app(String appId, RouteSpec spec, Backend... backends) {
        return new App(appId, spec, List.of(backends));
    }

    /** Explicit host names, comma-separated. */
    static RouteSpec vhost(String hosts) {
        return RouteSpec.forHosts(hosts.split(","));
    }
}
