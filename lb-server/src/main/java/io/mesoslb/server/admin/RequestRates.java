package io.mesoslb.server.admin;

import java.util.ArrayDeque;
import java.util.Map;

/**
 * Recent request rates per app, from periodic samples of the cumulative counts: the rate is the
 * growth between the newest sample and the oldest one still inside the window. Used by a single
 * thread (the admin event loop).
 */
final class RequestRates {
    private record Sample(long nanos, Map<String, long[]> counts) {
    }

    private final long windowNanos;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    RequestRates(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    /** Records the cumulative counts (per app, per status class) seen at {@code nanos}. */
    void sample(long nanos, Map<String, long[]> counts) {
        samples.addLast(new Sample(nanos, counts));
        while (samples.size() > 2 && nanos - samples.peekFirst().nanos() > windowNanos) {
            samples.removeFirst();
        }
    }

    /** Requests per second for {@code appId}, or NaN until two samples cover it. */
    double rate(String appId) {
        Sample newest = samples.peekLast();
        if (newest == null || !newest.counts().containsKey(appId)) {
            return Double.NaN;
        }
        for (Sample s : samples) {
            long[] old = s.counts().get(appId);
            if (s == newest) {
                return Double.NaN;
            }
            if (old != null) {
                long delta = total(newest.counts().get(appId)) - total(old);
                return Math.max(0, delta) * 1e9 / (newest.nanos() - s.nanos());
            }
        }
        return Double.NaN;
    }

    /** The seconds the current rates are measured over (0 before two samples). */
    double windowSeconds() {
        return samples.size() < 2 ? 0 : (samples.peekLast().nanos() - samples.peekFirst().nanos()) / 1e9;
    }

    static long total(long[] counts) {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }
}
