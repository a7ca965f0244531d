package io.mesoslb.discovery.marathon;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential reconnect delays with jitter: the n-th consecutive failure waits between half and all
 * of {@code min(max, base * 2^(n-1))}, so a fleet of proxies that lost Marathon together does not
 * come back in lockstep, yet no proxy waits much less than the nominal delay.
 */
final class Backoff {
    private final long baseNanos;
    private final long maxNanos;
    private final DoubleSupplier random;

    Backoff(Duration base, Duration max, DoubleSupplier random) {
        this.baseNanos = base.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
    }

    /** @param failures consecutive failures so far, at least 1 */
    Duration delay(int failures) {
        int doublings = Math.max(0, Math.min(failures - 1, 62));
        long nominal = baseNanos;
        for (int i = 0; i < doublings && nominal < maxNanos; i++) {
            nominal *= 2;
        }
        nominal = Math.min(nominal, maxNanos);
        long half = nominal / 2;
        return Duration.ofNanos(half + (long) (random.getAsDouble() * (nominal - half)));
    }
}
