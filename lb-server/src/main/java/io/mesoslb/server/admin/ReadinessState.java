package io.mesoslb.server.admin;

import io.mesoslb.server.observe.DiscoveryContact;

import io.mesoslb.discovery.DiscoveryState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Whether this instance should receive traffic, as answered by {@code /health}.
 *
 * <p>It moves STARTING -&gt; READY once the proxy listens and discovery has published its first
 * full sync, and READY -&gt; DRAINING on shutdown; it never goes back. Optionally a READY instance
 * is reported unhealthy while discovery has been out of contact for longer than a threshold, so
 * that a balancer in front stops sending traffic to an instance routing on an old picture.
 *
 * <p>State is a few bits in one atomic int: readers never lock, and the transitions may come from
 * any thread.
 */
public final class ReadinessState {
    /** The lifecycle phase. */
    public enum Phase { STARTING, READY, DRAINING }

    /**
     * What a health check should say.
     *
     * @param healthy true when traffic is welcome
     * @param phase   the lifecycle phase (a READY instance may still be unhealthy when stale)
     * @param reason  {@code OK} or why not
     */
    public record Verdict(boolean healthy, Phase phase, String reason) {
    }

    private static final int LISTENING = 1;
    private static final int SYNCED = 2;
    private static final int DRAINING = 4;
    private static final Verdict READY = new Verdict(true, Phase.READY, "OK");
    private static final Verdict DRAINING_VERDICT = new Verdict(false, Phase.DRAINING, "draining");

    private final AtomicInteger bits = new AtomicInteger();
    private final Supplier<DiscoveryState> discovery;
    private final Duration maxStaleness;
    private final Clock clock;

    /** Readiness with the staleness check off. */
    public ReadinessState(Supplier<DiscoveryState> discovery) {
        this(discovery, null, Clock.systemUTC());
    }

    /**
     * @param discovery    discovery's state; its {@code synced} flag also counts as the first sync
     * @param maxStaleness report unhealthy when discovery's last contact is older than this; null or
     *                     zero turns the check off
     * @param clock        the wall clock discovery's timestamps are compared with
     */
    public ReadinessState(Supplier<DiscoveryState> discovery, Duration maxStaleness, Clock clock) {
        this.discovery = Objects.requireNonNull(discovery, "discovery");
        this.maxStaleness = maxStaleness == null || maxStaleness.isZero() || maxStaleness.isNegative() ? null : maxStaleness;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The proxy listener is bound and accepting. */
    public void proxyListening() {
        set(LISTENING);
    }

    /** Discovery published its first full routing table (also inferred from {@link DiscoveryState#synced()}). */
    public void discoverySynced() {
        set(SYNCED);
    }

    /** Shutting down: health checks fail from now on so balancers stop sending new traffic. */
    public void startDraining() {
        set(DRAINING);
    }

    public Phase phase() {
        return phaseOf(observeSync(bits.get()));
    }

    public Verdict verdict() {
        int b = observeSync(bits.get());
        Phase phase = phaseOf(b);
        if (phase == Phase.DRAINING) {
            return DRAINING_VERDICT;
        }
        if (phase == Phase.STARTING) {
            String waiting = (b & LISTENING) == 0 ? "proxy not listening yet" : "waiting for the first discovery sync";
            return new Verdict(false, Phase.STARTING, "starting: " + waiting);
        }
        String stale = staleness();
        return stale == null ? READY : new Verdict(false, Phase.READY, stale);
    }

    private int observeSync(int b) {
        if ((b & SYNCED) == 0) {
            DiscoveryState s = discovery.get();
            if (s != null && s.synced()) {
                return set(SYNCED);
            }
        }
        return b;
    }

    private static Phase phaseOf(int b) {
        if ((b & DRAINING) != 0) {
            return Phase.DRAINING;
        }
        return (b & (LISTENING | SYNCED)) == (LISTENING | SYNCED) ? Phase.READY : Phase.STARTING;
    }

    /** Null when fresh enough (or the check is off), else why discovery is considered stale. */
    private String staleness() {
        if (maxStaleness == null) {
            return null;
        }
        Instant last = DiscoveryContact.last(discovery.get());
        if (last == null) {
            return "stale: no contact with discovery yet";
        }
        Duration age = Duration.between(last, clock.instant());
        if (age.compareTo(maxStaleness) <= 0) {
            return null;
        }
        return "stale: last discovery contact " + age.toSeconds() + "s ago (limit " + maxStaleness.toSeconds() + "s)";
    }

    private int set(int bit) {
        return bits.updateAndGet(b -> b | bit);
    }
}
