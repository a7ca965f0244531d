package io.mesoslb.core;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What discovery knows of one app: its id, its labels (which may name vhosts) and the backends
 * that are routable right now. Discovery produces these; {@link RouteTableBuilder} turns them
 * into routes.
 */
public record App(String id, Map<String, String> labels, List<Backend> backends) {
    public App {
        Objects.requireNonNull(id, "id");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        backends = backends == null ? List.of() : List.copyOf(backends);
    }
}
