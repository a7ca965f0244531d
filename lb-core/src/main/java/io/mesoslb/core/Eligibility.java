package io.mesoslb.core;

/**
 * Which backends a selection may choose, shared by the balance modes other than round robin (which
 * keeps its own fast path in {@link Route}): not the backend the request just failed on, and not an
 * ejected one unless ejection is being ignored because nothing else is left.
 *
 * <p>The clock is read only for a backend with an ejection recorded, so a route without
 * ejections costs no clock read.
 */
final class Eligibility {
    private Eligibility() {
    }

    static boolean eligible(BackendState s, Backend exclude, Ticker ticker, boolean honourEjection) {
        if (exclude != null && s.backend().equals(exclude)) {
            return false;
        }
        return !honourEjection || !s.hasEjection() || !s.isEjected(ticker.nanos());
    }

    /**
     * Whether ejection is to be honoured: yes unless it would leave nothing to choose. Without
     * ejection at least one backend is eligible, as the routes passed here have two or more.
     */
    static boolean honourEjection(BackendState[] b, Backend exclude, Ticker ticker) {
        for (BackendState s : b) {
            if (eligible(s, exclude, ticker, true)) {
                return true;
            }
        }
        return false;
    }

    static int count(BackendState[] b, Backend exclude, Ticker ticker, boolean honourEjection) {
        int n = 0;
        for (BackendState s : b) {
            if (eligible(s, exclude, ticker, honourEjection)) {
                n++;
            }
        }
        return n;
    }

    /** The eligible backend of rank {@code k} in table order, or null when health changed and there are fewer. */
    static BackendState nth(BackendState[] b, int k, Backend exclude, Ticker ticker, boolean honourEjection) {
        for (BackendState s : b) {
            if (eligible(s, exclude, ticker, honourEjection) && k-- == 0) {
                return s;
            }
        }
        return null;
    }
}
