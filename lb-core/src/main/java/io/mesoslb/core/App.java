package io.mesoslb.core;

import java.util.List;
import java.util.Objects;

/**
 * What discovery knows of one routable app port: its id, how it is to be routed, and the backends
 * that are routable right now. Discovery produces these; {@link RouteTableBuilder} turns them into
 * routes.
 */
public record App(String id, RouteSpec spec, List<Backend> backends) {
    public App {
        Objects.requireNonNull(id, "id");
        spec = spec == null ? RouteSpec.DEFAULT : spec;
        backends = backends == null ? List.of() : List.copyOf(backends);
    }

    /** An app routed by the host name derived from its id. */
    public App(String id, List<Backend> backends) {
        this(id, RouteSpec.DEFAULT, backends);
    }

    public App withBackends(List<Backend> b) {
        return new App(id, spec, b);
    }
}
