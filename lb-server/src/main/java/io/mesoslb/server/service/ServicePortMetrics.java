package io.mesoslb.server.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The service ports' meters, per port: connections (by how they ended), open connections, bytes
 * each way, failed connects, failed binds. Meters are made once per port and kept; the hot path
 * only increments.
 */
public final class ServicePortMetrics {
    /** Meters of one port. */
    static final class Port {
        final Counter relayed;
        final Counter refused;
        final Counter failed;
        final Counter connectFailures;
        final Counter bytesIn;
        final Counter bytesOut;
        final AtomicInteger active = new AtomicInteger();

        Port(MeterRegistry r, int port) {
            String p = Integer.toString(port);
            relayed = connections(r, p, "relayed");
            refused = connections(r, p, "refused");
            failed = connections(r, p, "failed");
            connectFailures = Counter.builder("mesoslb_service_connect_failures").tag("port", p)
                    .description("backend connects that failed on a TCP service port").register(r);
            bytesIn = bytes(r, p, "in");
            bytesOut = bytes(r, p, "out");
            Gauge.builder("mesoslb_service_connections_active", active, AtomicInteger::get).tag("port", p)
                    .description("connections open on a TCP service port").register(r);
        }

        private static Counter connections(MeterRegistry r, String port, String result) {
            return Counter.builder("mesoslb_service_connections").tag("port", port).tag("result", result)
                    .description("connections accepted on a TCP service port, by how they ended: relayed to a backend, "
                            + "refused (no app, no backend, not allowed) or failed (no backend could be connected)")
                    .register(r);
        }

        private static Counter bytes(MeterRegistry r, String port, String direction) {
            return Counter.builder("mesoslb_service_bytes").tag("port", port).tag("direction", direction)
                    .description("bytes relayed on a TCP service port: in from clients, out to them").register(r);
        }
    }

    private final MeterRegistry registry;
    private final ConcurrentHashMap<Integer, Port> ports = new ConcurrentHashMap<>();
    private final Counter.Builder bindFailures = Counter.builder("mesoslb_service_port_bind_failures")
            .description("attempts to listen on a service port that failed (taken, not permitted, bad address)");

    /** @param registry where the meters go, or null for none */
    public ServicePortMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The port's meters, or null when there is no registry. */
    Port port(int port) {
        return registry == null ? null : ports.computeIfAbsent(port, p -> new Port(registry, p));
    }

    public void bindFailed(int port) {
        if (registry != null) {
            bindFailures.tag("port", Integer.toString(port)).register(registry).increment();
        }
    }
}
