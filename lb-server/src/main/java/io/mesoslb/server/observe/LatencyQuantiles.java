package io.mesoslb.server.observe;

import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.util.concurrent.TimeUnit;

/**
 * Quantiles estimated from a latency histogram's cumulative bucket counts the way Prometheus'
 * {@code histogram_quantile} does: linear within the bucket the rank falls in, the lowest bucket
 * starting at 0, and a rank above the highest bucket answered with that bucket's bound. So the
 * status page and a dashboard built on {@code mesoslb_request_duration_seconds} agree.
 */
final class LatencyQuantiles {
    private LatencyQuantiles() {
    }

    /** Each quantile of {@code snapshot} in seconds; NaN for every one when it holds no value. */
    static double[] of(HistogramSnapshot snapshot, double... quantiles) {
        CountAtBucket[] buckets = snapshot.histogramCounts();
        double[] bounds = new double[buckets.length];
        double[] cumulative = new double[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            bounds[i] = buckets[i].bucket(TimeUnit.SECONDS);
            cumulative[i] = buckets[i].count();
        }
        double[] out = new double[quantiles.length];
        for (int i = 0; i < quantiles.length; i++) {
            out[i] = estimate(bounds, cumulative, snapshot.count(), quantiles[i]);
        }
        return out;
    }

    /**
     * @param bounds     the buckets' upper bounds, ascending
     * @param cumulative how many values each bucket holds, with all the buckets below it
     * @param total      how many values there are, those above the highest bound included
     */
    static double estimate(double[] bounds, double[] cumulative, long total, double q) {
        if (total <= 0 || bounds.length == 0) {
            return Double.NaN;
        }
        double rank = q * total;
        for (int i = 0; i < bounds.length; i++) {
            if (cumulative[i] >= rank) {
                double lower = i == 0 ? 0 : bounds[i - 1];
                double below = i == 0 ? 0 : cumulative[i - 1];
                double in = cumulative[i] - below;
                return in <= 0 ? bounds[i] : lower + (bounds[i] - lower) * (rank - below) / in;
            }
        }
        return bounds[bounds.length - 1];
    }
}
