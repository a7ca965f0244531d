package io.mesoslb.core;

/**
 * A backend together with the health state that passive ejection keeps for it.
 *
 * <p>It lives outside any one {@link RouteTable}: the table builder hands the same instance to the
 * next snapshot while the backend remains, so ejection survives table swaps.
 */
public final class BackendState {
    private final Backend backend;
    /** 0 when in rotation; otherwise the ticker time at which the ejection ends. */
    private volatile long ejectedUntilNanos;

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

    public void ejectUntil(long untilNanos) {
        this.ejectedUntilNanos = untilNanos == 0 ? 1 : untilNanos;
    }

    public void clearEjection() {
        this.ejectedUntilNanos = 0;
    }

    @Override
    public String toString() {
        return backend.toString();
    }
}
