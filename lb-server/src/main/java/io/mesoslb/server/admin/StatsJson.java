package io.mesoslb.server.admin;

import io.mesoslb.server.observe.ProxyMetrics;
import io.mesoslb.server.observe.RouteMeters;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.Ticker;
import io.mesoslb.discovery.DiscoveryState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;

/**
 * {@code GET /stats.json}, what the status page shows besides the routes: health, discovery, and
 * per-app request counts, recent rates and latency quantiles when the proxy's metrics are available
 * ({@code "requests": null} otherwise).
 */
final class StatsJson {
    static final long WINDOW_NANOS = 10_000_000_000L;
    /** The latency quantiles shown: {@code p50} and {@code p99}. */
    private static final double[] QUANTILES = {0.5, 0.99};

    private final ProxyMetrics metrics;
    private final Ticker ticker;
    private final Clock clock;
    private final RequestRates rates = new RequestRates(WINDOW_NANOS);

    /** @param metrics the proxy's meters, or null when there are none */
    StatsJson(ProxyMetrics metrics, Ticker ticker, Clock clock) {
        this.metrics = metrics;
        this.ticker = ticker;
        this.clock = clock;
    }

    boolean hasMetrics() {
        return metrics != null;
    }

    /** Takes a rate sample; the admin server calls this every second. */
    void sample() {
        if (metrics != null) {
            rates.sample(ticker.nanos(), metrics.requestCounts());
        }
    }

    ByteBuf render(ByteBufAllocator alloc, RouteTable table, DiscoveryState discovery,
                   ReadinessState.Verdict health) throws IOException {
        return AdminJson.render(alloc, g -> {
            g.writeStartObject();
            g.writeStringField("generatedAt", clock.instant().toString());
            g.writeObjectFieldStart("health");
            g.writeBooleanField("healthy", health.healthy());
            g.writeStringField("phase", health.phase().name());
            g.writeStringField("reason", health.reason());
            g.writeEndObject();
            g.writeNumberField("tableVersion", table.version());
            g.writeFieldName("discovery");
            AdminJson.discovery(g, discovery);
            if (metrics == null) {
                g.writeNullField("connections");
                g.writeNullField("requests");
            } else {
                g.writeNumberField("connections", metrics.activeConnections());
                writeRequests(g);
            }
            g.writeEndObject();
        });
    }

    private void writeRequests(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("requests");
        g.writeNumberField("windowSeconds", rates.windowSeconds());
        g.writeObjectFieldStart("apps");
        for (Map.Entry<String, long[]> e : metrics.requestCounts().entrySet()) {
            g.writeFieldName(e.getKey());
            counts(g, e.getValue(), rates.rate(e.getKey()), metrics.latencyQuantiles(e.getKey(), QUANTILES));
        }
        g.writeEndObject();
        g.writeFieldName("unrouted");
        counts(g, metrics.unroutedCounts(), Double.NaN, null);
        g.writeEndObject();
    }

    /** @param latency p50 and p99 in seconds, NaN while there are no requests; null to leave them out */
    private static void counts(JsonGenerator g, long[] byClass, double rate, double[] latency) throws IOException {
        g.writeStartObject();
        g.writeNumberField("total", RequestRates.total(byClass));
        number(g, "rate", rate, 100);
        if (latency != null) {
            // Seconds to the microsecond: an estimate from the buckets, no finer than that.
            number(g, "p50", latency[0], 1_000_000);
            number(g, "p99", latency[1], 1_000_000);
        }
        g.writeObjectFieldStart("byClass");
        for (int i = 0; i < byClass.length; i++) {
            g.writeNumberField(RouteMeters.STATUS_CLASSES.get(i), byClass[i]);
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    /** {@code value} rounded to {@code 1 / scale}, or null when it is NaN. */
    private static void number(JsonGenerator g, String field, double value, double scale) throws IOException {
        if (Double.isNaN(value)) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, Math.round(value * scale) / scale);
        }
    }
}
