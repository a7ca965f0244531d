package io.mesoslb.core;

import java.time.Duration;
import java.util.Objects;

/**
 * When passive health ejects a backend and for how long; modelled on Envoy's outlier detection
 * and nginx's {@code max_fails}/{@code fail_timeout}. Immutable; start from {@link #DEFAULT} and
 * change what differs with the {@code with*} methods.
 *
 * <p>Defaults:
 *
 * <ul>
 *   <li>{@code consecutiveFailures} 5: connect failures, resets, timeouts and 502/503/504 in a row
 *       eject (Envoy's {@code consecutive_gateway_failure}). Another 5xx breaks the run, as in
 *       Envoy: the backend is reachable. 0 disables.
 *   <li>{@code consecutive5xx} 0 (disabled): when set, that many failures of any kind in a row
 *       eject, 500s included. Off by default because a 500 is more often the request's fault
 *       than the instance's.
 *   <li>{@code baseEjectionTime} 30 s, multiplied by how many times in a row the backend has been
 *       ejected, capped at {@code maxEjectionTime} 300 s.
 *   <li>{@code maxEjectionPercent} 50: at most half of an app's backends are out at once, and
 *       always at least one in an app of two or more. Envoy's default of 10% would never eject
 *       anything in the small apps that are common on Marathon (10% of 3 is 0). 0 disables
 *       ejection.
 *   <li>{@code decayInterval} 10 s: every such interval a backend spends in rotation after an
 *       ejection forgives one ejection from its multiplier (Envoy decrements it every
 *       {@code interval}, 10 s by default).
 * </ul>
 *
 * <p>Any success resets both runs. A backend returning from ejection is on probation: its first
 * failure before a success ejects it again at once, for the longer time.
 */
public record OutlierPolicy(
        int consecutiveFailures,
        int consecutive5xx,
        Duration baseEjectionTime,
        Duration maxEjectionTime,
        int maxEjectionPercent,
        Duration decayInterval) {

    public static final OutlierPolicy DEFAULT =
            new OutlierPolicy(5, 0, Duration.ofSeconds(30), Duration.ofSeconds(300), 50, Duration.ofSeconds(10));

    public OutlierPolicy {
        if (consecutiveFailures < 0 || consecutive5xx < 0) {
            throw new IllegalArgumentException("failure counts must be >= 0 (0 disables)");
        }
        requirePositive(baseEjectionTime, "baseEjectionTime");
        requirePositive(decayInterval, "decayInterval");
        if (maxEjectionTime.compareTo(baseEjectionTime) < 0) {
            throw new IllegalArgumentException("maxEjectionTime " + maxEjectionTime + " < baseEjectionTime " + baseEjectionTime);
        }
        if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
            throw new IllegalArgumentException("maxEjectionPercent must be 0..100: " + maxEjectionPercent);
        }
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    public OutlierPolicy withConsecutiveFailures(int n) {
        return new OutlierPolicy(n, consecutive5xx, baseEjectionTime, maxEjectionTime, maxEjectionPercent, decayInterval);
    }

    public OutlierPolicy withConsecutive5xx(int n) {
        return new OutlierPolicy(consecutiveFailures, n, baseEjectionTime, maxEjectionTime, maxEjectionPercent, decayInterval);
    }

    public OutlierPolicy withEjectionTime(Duration base, Duration max) {
        return new OutlierPolicy(consecutiveFailures, consecutive5xx, base, max, maxEjectionPercent, decayInterval);
    }

    public OutlierPolicy withMaxEjectionPercent(int percent) {
        return new OutlierPolicy(consecutiveFailures, consecutive5xx, baseEjectionTime, maxEjectionTime, percent, decayInterval);
    }

    public OutlierPolicy withDecayInterval(Duration interval) {
        return new OutlierPolicy(consecutiveFailures, consecutive5xx, baseEjectionTime, maxEjectionTime, maxEjectionPercent, interval);
    }

    /** How many of an app's {@code backends} may be ejected at the same time. */
    public int maxEjected(int backends) {
        if (maxEjectionPercent == 0 || backends < 2) {
            return 0;
        }
        return Math.max(1, backends * maxEjectionPercent / 100);
    }

    /** The ejection time for a backend's {@code ejections}-th ejection in a row (1 for the first). */
    public Duration ejectionTime(int ejections) {
        return Duration.ofNanos(ejectionNanos(ejections));
    }

    long ejectionNanos(int ejections) {
        long base = baseEjectionTime.toNanos();
        long max = maxEjectionTime.toNanos();
        // Compared before multiplying so that a long run of ejections cannot overflow.
        return ejections > max / base ? max : Math.min(max, base * ejections);
    }

    /** The multiplier at which the ejection time reaches its cap; counting further adds nothing. */
    int maxMultiplier() {
        long base = baseEjectionTime.toNanos();
        long max = maxEjectionTime.toNanos();
        return (int) Math.min(Integer.MAX_VALUE, (max + base - 1) / base);
    }
}
