package io.mesoslb.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A backend together with the health state that passive ejection keeps for it.
 *
 * <p>It lives outside any one {@link RouteTable}: the table builder hands the same instance to the
 * next snapshot while the backend remains, so ejection survives table swaps, and a backend that
 * leaves takes its state with it.
 *
 * <p>Every field is updated lock-free by whichever event loop reports on the backend. They are
 * volatile fields driven through {@link VarHandle}s rather than {@code AtomicInteger}s so that the
 * per-request check costs no pointer chase.
 */
public final class BackendState {
    private static final VarHandle EJECTED_UNTIL;
    private static final VarHandle GATEWAY_FAILURES;
    private static final VarHandle FAILURES_5XX;
    private static final VarHandle IN_FLIGHT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            EJECTED_UNTIL = l.findVarHandle(BackendState.class, "ejectedUntilNanos", long.class);
            GATEWAY_FAILURES = l.findVarHandle(BackendState.class, "gatewayFailures", int.class);
            FAILURES_5XX = l.findVarHandle(BackendState.class, "failures5xx", int.class);
            IN_FLIGHT = l.findVarHandle(BackendState.class, "inFlight", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Backend backend;
    /** 0 when in rotation; otherwise the ticker time at which the ejection ends. */
    private volatile long ejectedUntilNanos;
    /** Consecutive connect failures, resets, timeouts and 502-504. */
    private volatile int gatewayFailures;
    /** Consecutive failures of any kind, for the optional consecutive-5xx rule. */
    private volatile int failures5xx;
    /** The ejection multiplier as of {@link #lastEjectionEndNanos}; written by the ejecting thread only. */
    private volatile int ejections;
    private volatile long lastEjectionStartNanos;
    private volatile long lastEjectionEndNanos;
    /**
     * Requests sent to this backend whose exchange has not ended. An exact int rather than a
     * LongAdder: least-connection selection reads it for every backend on every request, and a
     * LongAdder's sum walks its cells.
     */
    private volatile int inFlight;

    public BackendState(Backend backend) {
        this.backend = backend;
    }

    public Backend backend() {
        return backend;
    }

    /** True while ejected at {@code nowNanos}. Reads one volatile field; no time read when never ejected. */
    public boolean isEjected(long nowNanos) {
        long until = ejectedUntilNanos;
        return until != 0 && until - nowNanos > 0;
    }

    /** True if an ejection is recorded, whether or not it has expired yet. */
    public boolean hasEjection() {
        return ejectedUntilNanos != 0;
    }

    public long ejectedUntilNanos() {
        return ejectedUntilNanos;
    }

    /** Ejects by hand (an operator, a test); the outlier detector uses its own compare-and-set path. */
    public void ejectUntil(long untilNanos) {
        this.ejectedUntilNanos = nonZero(untilNanos);
    }

    public void clearEjection() {
        this.ejectedUntilNanos = 0;
    }

    /** Consecutive gateway failures (connect failures, resets, timeouts, 502-504) so far. */
    public int consecutiveFailures() {
        return gatewayFailures;
    }

    /** Consecutive failures of any kind so far. */
    public int consecutive5xx() {
        return failures5xx;
    }

    /** How many times in a row this backend has been ejected (before any decay). */
    public int ejectionCount() {
        return ejections;
    }

    /** Ticker time the last ejection started, 0 if never ejected by the detector. */
    public long lastEjectionNanos() {
        return lastEjectionStartNanos;
    }

    /**
     * The data plane chose this backend for a request attempt. Call it once per attempt, right after
     * {@link Route#select(Balance, int, Backend)} returned this state and before connecting: counting
     * from the choice rather than from the first byte written keeps a burst that arrives while the
     * connection opens from piling onto the same idle backend. Every call needs exactly one
     * {@link #released()} on this same instance, whichever way the attempt ends.
     */
    public void acquired() {
        IN_FLIGHT.getAndAdd(this, 1);
    }

    /**
     * The attempt counted by {@link #acquired()} is over: response relayed, backend failed or timed
     * out, client gone, retried elsewhere. Exactly once per {@code acquired()}: a missing release
     * makes least-connection modes shun the backend for good, an extra one makes them favour it.
     */
    public void released() {
        int before = (int) IN_FLIGHT.getAndAdd(this, -1);
        if (before <= 0) {
            // An unmatched release; a negative count would draw every request to this backend.
            IN_FLIGHT.getAndAdd(this, 1);
            assert false : "released() without acquired() on " + this;
        }
    }

    /** Attempts acquired and not yet released; what the least-connection modes compare. */
    public int inFlight() {
        return inFlight;
    }

    static long nonZero(long nanos) {
        return nanos == 0 ? 1 : nanos;
    }

    boolean casEjectedUntil(long expected, long until) {
        return EJECTED_UNTIL.compareAndSet(this, expected, until);
    }

    int incrementGatewayFailures() {
        return (int) GATEWAY_FAILURES.getAndAdd(this, 1) + 1;
    }

    int increment5xx() {
        return (int) FAILURES_5XX.getAndAdd(this, 1) + 1;
    }

    /** Reads before writing: the common case (no failures) leaves the cache line shared between loops. */
    void resetGatewayFailures() {
        if (gatewayFailures != 0) {
            gatewayFailures = 0;
        }
    }

    void resetFailures() {
        resetGatewayFailures();
        if (failures5xx != 0) {
            failures5xx = 0;
        }
    }

    /** Sets both runs just short of their thresholds, so the next failure ejects again. */
    void startProbation(int gatewayThreshold, int threshold5xx) {
        gatewayFailures = Math.max(0, gatewayThreshold - 1);
        failures5xx = Math.max(0, threshold5xx - 1);
    }

    /** Called by the thread whose compare-and-set ejected the backend. */
    void recordEjection(long startNanos, long endNanos, int multiplier) {
        ejections = multiplier;
        lastEjectionStartNanos = startNanos;
        lastEjectionEndNanos = endNanos;
        gatewayFailures = 0;
        failures5xx = 0;
    }

    /** The multiplier left after one ejection is forgiven per {@code decayNanos} spent back in rotation. */
    int decayedEjections(long nowNanos, long decayNanos) {
        int e = ejections;
        if (e == 0) {
            return 0;
        }
        long healthy = nowNanos - lastEjectionEndNanos;
        if (healthy <= 0) {
            return e;
        }
        long forgiven = healthy / decayNanos;
        return forgiven >= e ? 0 : e - (int) forgiven;
    }

    long lastEjectionEndNanos() {
        return lastEjectionEndNanos;
    }

    long lastEjectionDurationNanos() {
        return lastEjectionEndNanos - lastEjectionStartNanos;
    }

    @Override
    public String toString() {
        return backend.toString();
    }
}
