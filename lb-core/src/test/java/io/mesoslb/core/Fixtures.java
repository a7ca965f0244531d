package io.mesoslb.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

final class Fixtures {
    private Fixtures() {
    }

    /** Task {@code i} of {@code appId}, on its own address. */
    static Backend backend(String appId, int i) {
        return new Backend("10.0." + (i / 250) + "." + (i % 250 + 1), 31_000 + i, appId.substring(1).replace('/', '_') + "." + i, appId);
    }

    static App app(String appId, int tasks) {
        return app(appId, tasks, Map.of());
    }

    static App app(String appId, int tasks, Map<String, String> labels) {
        List<Backend> backends = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            backends.add(backend(appId, i));
        }
        return new App(appId, labels, backends);
    }

    static App app(String appId, Map<String, String> labels, Backend... backends) {
        return new App(appId, labels, List.of(backends));
    }

    static Map<String, String> vhost(String hosts) {
        return Map.of(VhostNaming.VHOST_LABEL, hosts);
    }
}
