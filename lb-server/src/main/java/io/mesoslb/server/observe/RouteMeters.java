package io.mesoslb.server.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The request meters of one app, registered once when the app appears so that recording a request
 * is a plain array index and an add: no registry lookup, no tag allocation.
 */
public final class RouteMeters {
    /** Status class labels, in the order of the count arrays {@link ProxyMetrics#requestCounts()} returns. */
    public static final List<String> STATUS_CLASSES = List.of("1xx", "2xx", "3xx", "4xx", "5xx");

    private final String appId;
    private final List<String> vhosts;
    private final Counter[] byClass;
    private final Counter ejections;
    private final Timer latency;

    RouteMeters(MeterRegistry registry, String appId, List<String> vhosts, Timer latency) {
        this.appId = appId;
        this.vhosts = List.copyOf(vhosts);
        this.latency = latency;
        String appTag = appId == null ? ProxyMetrics.NO_APP : appId;
        String vhostTag = vhosts.isEmpty() ? ProxyMetrics.NO_APP : String.join(",", vhosts);
        this.byClass = new Counter[STATUS_CLASSES.size()];
        for (int i = 0; i < byClass.length; i++) {
            byClass[i] = Counter.builder(ProxyMetrics.REQUESTS)
                    .description("Requests answered, by app, its vhosts and status class")
                    .tags("app", appTag, "vhost", vhostTag, "status", STATUS_CLASSES.get(i))
                    .register(registry);
        }
        this.ejections = Counter.builder(ProxyMetrics.EJECTIONS)
                .description("Backends taken out of rotation by passive health checks")
                .tags("app", appTag)
                .register(registry);
    }

    /** Counts a response by its status class (codes outside 100..599 are clamped) and records its latency. */
    public void record(int status, long durationNanos) {
        byClass[statusClassIndex(status)].increment();
        latency.record(durationNanos, TimeUnit.NANOSECONDS);
    }

    /** A backend of this app was ejected. */
    public void ejected() {
        ejections.increment();
    }

    public String appId() {
        return appId;
    }

    public List<String> vhosts() {
        return vhosts;
    }

    /** Requests so far, indexed 0 = 1xx .. 4 = 5xx. */
    long[] counts() {
        long[] out = new long[byClass.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (long) byClass[i].count();
        }
        return out;
    }

    void removeFrom(MeterRegistry registry) {
        for (Meter m : byClass) {
            registry.remove(m);
        }
        registry.remove(ejections);
    }

    static int statusClassIndex(int status) {
        int c = status / 100 - 1;
        return c < 0 ? 0 : Math.min(c, STATUS_CLASSES.size() - 1);
    }
}
