package io.mesoslb.core;

import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passive health: ejects backends whose requests keep failing, per {@link OutlierPolicy}.
 *
 * <p>The proxy reports every request's outcome on the backend it used. All state lives on the
 * {@link BackendState}s and changes by compare-and-set, so reports from any number of event loops
 * need no lock and never eject a backend twice. {@link Route#select} needs nothing from here: it
 * skips a backend while its ejection time lasts and takes it back once the time has passed.
 * Noticing that return (to announce it and to put the backend on probation) happens lazily, on
 * the next report for the backend or in {@link #sweep}, which the server calls now and then off
 * the event loops.
 */
public final class OutlierDetector {
    private static final Logger log = LoggerFactory.getLogger(OutlierDetector.class);

    private final OutlierPolicy policy;
    private final Ticker ticker;
    private final EjectionListener listener;
    private final long decayNanos;
    private final int maxMultiplier;
    /** Backends this detector ejected and has not yet seen back: what a sweep looks at. */
    private final Set<BackendState> ejected = ConcurrentHashMap.newKeySet();

    public OutlierDetector(OutlierPolicy policy, Ticker ticker, EjectionListener listener) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.decayNanos = policy.decayInterval().toNanos();
        this.maxMultiplier = policy.maxMultiplier();
    }

    public OutlierDetector(OutlierPolicy policy, EjectionListener listener) {
        this(policy, Ticker.SYSTEM, listener);
    }

    public OutlierPolicy policy() {
        return policy;
    }

    /**
     * The request to {@code state} succeeded (any response that is not a failure). On the hot
     * path: in the common case three volatile reads and no write.
     */
    public void reportSuccess(Route route, BackendState state) {
        if (state.hasEjection() && !returnIfDue(state, ticker.nanos())) {
            return;
        }
        state.resetFailures();
    }

    /**
     * The request to {@code state} failed. Failures while the backend is ejected (requests that
     * were already in flight) do not count.
     *
     * @param route the route {@code state} was selected from; the ejection cap counts its backends
     */
    public void reportFailure(Route route, BackendState state, FailureKind kind) {
        long now = ticker.nanos();
        if (state.hasEjection() && !returnIfDue(state, now)) {
            return;
        }
        boolean trip = false;
        int gatewayThreshold = policy.consecutiveFailures();
        if (kind.isGatewayFailure()) {
            trip = gatewayThreshold > 0 && state.incrementGatewayFailures() >= gatewayThreshold;
        } else {
            state.resetGatewayFailures();
        }
        int threshold5xx = policy.consecutive5xx();
        if (threshold5xx > 0 && state.increment5xx() >= threshold5xx) {
            trip = true;
        }
        if (trip) {
            tryEject(route, state, kind, now);
        }
    }

    /**
     * Announces (and puts on probation) every backend of {@code table} whose ejection has ended. Looks
     * at the backends this detector ejected, not at every backend: at 100,000 tasks a walk of the table
     * each sweep would cost more than all the ejections.
     */
    public void sweep(RouteTable table) {
        long now = ticker.nanos();
        for (Iterator<BackendState> i = ejected.iterator(); i.hasNext(); ) {
            BackendState s = i.next();
            // Returned on a report since, or gone from the table (nobody routes to it to be told).
            if (!s.hasEjection() || !inTable(table, s) || returnIfDue(s, now)) {
                i.remove();
            }
        }
    }

    private static boolean inTable(RouteTable table, BackendState state) {
        Route route = table.routeForApp(state.backend().appId());
        if (route != null) {
            for (BackendState s : route.states()) {
                if (s == state) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Ejects unless the app is at its cap. Ejection and cap check are optimistic: eject by CAS,
     * then count; if the count is over the cap, undo. Two racing ejections can then both undo, but
     * never both stay, and since the runs stay at or above the threshold the next failure retries.
     * For the instant between the two, {@link Route#select} may see one backend more out than the
     * cap allows; it then serves from the rest, or from the plain rotation if none remain.
     */
    private void tryEject(Route route, BackendState state, FailureKind cause, long now) {
        int allowed = policy.maxEjected(route.size());
        if (allowed == 0) {
            return;
        }
        int multiplier = Math.min(maxMultiplier, state.decayedEjections(now, decayNanos) + 1);
        long durationNanos = policy.ejectionNanos(multiplier);
        long until = BackendState.nonZero(now + durationNanos);
        if (!state.casEjectedUntil(0, until)) {
            return;
        }
        if (route.ejectedCount(now) > allowed) {
            state.casEjectedUntil(until, 0);
            log.debug("{} not ejected: {} of {} backends of {} are out already", state, allowed, route.size(), route.appId());
            return;
        }
        state.recordEjection(now, until, multiplier);
        ejected.add(state);
        Duration duration = Duration.ofNanos(durationNanos);
        log.debug("ejected {} for {} (ejection {} in a row, last failure {})", state, duration, multiplier, cause);
        notify(new EjectionEvent(state.backend(), EjectionEvent.Kind.EJECTED, duration, multiplier, cause));
    }

    /**
     * @return true if the backend is in rotation (it was, or its ejection has just ended); false
     *     while it is still ejected
     */
    private boolean returnIfDue(BackendState state, long now) {
        long until = state.ejectedUntilNanos();
        if (until == 0) {
            return true;
        }
        if (until - now > 0) {
            return false;
        }
        // Probation first: a thread that sees the backend back in rotation must find the runs set.
        state.startProbation(policy.consecutiveFailures(), policy.consecutive5xx());
        if (state.casEjectedUntil(until, 0)) {
            boolean ours = state.lastEjectionEndNanos() == until;
            Duration lasted = ours ? Duration.ofNanos(state.lastEjectionDurationNanos()) : Duration.ZERO;
            log.debug("{} is back in rotation after {}", state, lasted);
            notify(new EjectionEvent(state.backend(), EjectionEvent.Kind.RETURNED, lasted, state.ejectionCount(), null));
        }
        return true;
    }

    private void notify(EjectionEvent event) {
        try {
            listener.onEjectionEvent(event);
        } catch (RuntimeException e) {
            log.warn("ejection listener failed on {}", event, e);
        }
    }
}
