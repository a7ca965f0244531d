package io.mesoslb.server.observe;

import io.mesoslb.server.proxy.RetryKind;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The request meters of one app, registered at its first request (see {@link ProxyMetrics#route}) so that
 * recording a request is an array index and an add: no tag allocation. A status counter is registered the first time its
 * status label is seen (at most {@link StatusLabel#SLOTS} per app), so an app shows only the codes
 * it answered.
 *
 * <p>The requests that matched no app are counted under {@code app=""} and {@code vhost=""}
 * (Prometheus reads an empty label as an absent one: {@code mesoslb_requests_total{app=""}} selects them).
 */
public final class RouteMeters {
    /** Status class labels, in the order of the count arrays {@link ProxyMetrics#requestCounts()} returns. */
    public static final List<String> STATUS_CLASSES = List.of(StatusLabel.CLASSES);

    /**
     * The latency histogram's buckets: fixed, so each app adds the same small number of series
     * (these 14 plus {@code +Inf}, {@code _count} and {@code _sum}), and quantiles aggregate across
     * balancers with {@code histogram_quantile}.
     */
    static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(60), Duration.ofSeconds(120),
    };

    private final MeterRegistry registry;
    private final String appId;
    private final String appTag;
    private final String vhostTag;
    private final List<String> vhosts;
    private final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(StatusLabel.SLOTS);
    private final Counter ejections;
    private final Counter[] retries;
    private final Timer latency;
    private volatile boolean removed;

    RouteMeters(MeterRegistry registry, String appId, List<String> vhosts) {
        this.registry = registry;
        this.appId = appId;
        this.vhosts = List.copyOf(vhosts);
        this.appTag = appId == null ? ProxyMetrics.NO_APP : appId;
        this.vhostTag = vhosts.isEmpty() ? ProxyMetrics.NO_APP : String.join(",", vhosts);
        this.latency = Timer.builder(ProxyMetrics.DURATION)
                .description("Time from request received to response complete, by app")
                .tags("app", appTag)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        this.ejections = Counter.builder(ProxyMetrics.EJECTIONS)
                .description("Backends taken out of rotation by passive health checks")
                .tags("app", appTag)
                .register(registry);
        RetryKind[] kinds = RetryKind.values();
        this.retries = new Counter[kinds.length];
        for (int i = 0; i < kinds.length; i++) {
            retries[i] = Counter.builder(ProxyMetrics.RETRIES)
                    .description("Requests (or TCP connections) sent to a backend once more, by app and why")
                    .tags("app", appTag, "kind", kinds[i].label())
                    .register(registry);
        }
    }

    /** Counts a response under its status label (codes outside 100..599 are clamped) and records its latency. */
    public void record(int status, long durationNanos) {
        int slot = StatusLabel.slot(status);
        Counter c = byStatus.get(slot);
        if (c == null) {
            c = statusCounter(slot);
        }
        c.increment();
        latency.record(durationNanos, TimeUnit.NANOSECONDS);
    }

    private Counter statusCounter(int slot) {
        Counter c = Counter.builder(ProxyMetrics.REQUESTS)
                .description("Requests answered, by app, its vhosts and status (exact for common codes, else the class)")
                .tags("app", appTag, "vhost", vhostTag, "status", StatusLabel.label(slot))
                .register(registry);
        // The registry hands every caller the same counter; the first to store it wins.
        byStatus.compareAndSet(slot, null, c);
        if (removed) {
            // The app left the table while this request was in flight: keep no series for it.
            registry.remove(c);
        }
        return c;
    }

    /** A backend of this app was ejected. */
    public void ejected() {
        ejections.increment();
    }

    /** A request (or connection) of this app was sent to a backend once more. */
    public void retried(RetryKind kind) {
        retries[kind.ordinal()].increment();
    }

    public String appId() {
        return appId;
    }

    public List<String> vhosts() {
        return vhosts;
    }

    /** Estimated quantiles of its requests' latency so far, in seconds (NaN each while there are none). */
    double[] latencyQuantiles(double... quantiles) {
        return LatencyQuantiles.of(latency.takeSnapshot(), quantiles);
    }

    /** Requests so far, indexed 0 = 1xx .. 4 = 5xx. */
    long[] counts() {
        long[] out = new long[STATUS_CLASSES.size()];
        for (int slot = 0; slot < StatusLabel.SLOTS; slot++) {
            Counter c = byStatus.get(slot);
            if (c != null) {
                out[StatusLabel.classOf(slot)] += (long) c.count();
            }
        }
        return out;
    }

    void removeFrom(MeterRegistry registry) {
        removed = true;
        for (int slot = 0; slot < StatusLabel.SLOTS; slot++) {
            Counter c = byStatus.get(slot);
            if (c != null) {
                registry.remove(c);
            }
        }
        for (Meter m : retries) {
            registry.remove(m);
        }
        registry.remove(ejections);
        registry.remove(latency);
    }
}
