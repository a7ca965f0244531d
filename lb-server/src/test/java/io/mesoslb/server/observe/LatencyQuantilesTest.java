package io.mesoslb.server.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LatencyQuantilesTest {
    @Test
    void interpolatesWithinTheBucketTheRankFallsInAsHistogramQuantileDoes() {
        double[] bounds = {0.005, 0.01, 0.025};
        // 10 values <= 5 ms, 30 more <= 10 ms, 60 more <= 25 ms.
        double[] cumulative = {10, 40, 100};

        assertThat(LatencyQuantiles.estimate(bounds, cumulative, 100, 0.05)).isCloseTo(0.0025, within(1e-12));
        assertThat(LatencyQuantiles.estimate(bounds, cumulative, 100, 0.5)).isCloseTo(0.0125, within(1e-12));
        assertThat(LatencyQuantiles.estimate(bounds, cumulative, 100, 0.99)).isCloseTo(0.02475, within(1e-12));
    }

    @Test
    void aRankAboveTheTopBucketIsItsBoundAndNoValuesIsNaN() {
        double[] bounds = {0.005, 0.01};
        assertThat(LatencyQuantiles.estimate(bounds, new double[] {1, 2}, 10, 0.99)).isEqualTo(0.01);
        assertThat(LatencyQuantiles.estimate(bounds, new double[] {0, 0}, 0, 0.5)).isNaN();
    }

    @Test
    void anAppsQuantilesComeFromItsLatencyHistogram() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"));
        holder.update(java.util.List.of(new io.mesoslb.core.App("/web", java.util.List.of())));
        ProxyMetrics metrics = new ProxyMetrics(registry, holder, () -> null);
        try {
            assertThat(metrics.latencyQuantiles("/web", 0.5, 0.99)).containsOnly(Double.NaN);
            for (int i = 0; i < 98; i++) {
                metrics.recordRequest("/web", 200, TimeUnit.MILLISECONDS.toNanos(3));
            }
            metrics.recordRequest("/web", 200, TimeUnit.MILLISECONDS.toNanos(300));
            metrics.recordRequest("/web", 200, TimeUnit.MILLISECONDS.toNanos(300));

            double[] q = metrics.latencyQuantiles("/web", 0.5, 0.99);
            // Cumulative buckets: 98 at 5 ms, still 98 up to 250 ms, 100 at 500 ms.
            assertThat(q[0]).isCloseTo(0.005 * 50 / 98, within(1e-9));
            assertThat(q[1]).isCloseTo(0.25 + 0.25 * (99 - 98) / 2, within(1e-9));
            assertThat(metrics.latencyQuantiles("/nope", 0.5)).isNull();
        } finally {
            metrics.close();
            registry.close();
        }
    }
}
