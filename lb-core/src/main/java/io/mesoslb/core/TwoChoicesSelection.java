package io.mesoslb.core;

import java.util.concurrent.ThreadLocalRandom;

/**
 * {@link Balance#LEAST_REQUEST}: of two distinct eligible backends drawn at random, the one with
 * fewer requests in flight (the first drawn on a tie, itself random). The common case draws from
 * the whole table and reads two backends; only when a draw hits an ineligible backend is the draw
 * repeated over the eligible ones, which keeps every eligible pair equally likely.
 */
final class TwoChoicesSelection {
    private TwoChoicesSelection() {
    }

    /** @param b two backends or more */
    static BackendState select(BackendState[] b, Backend exclude, Ticker ticker) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int n = b.length;
        int i = random.nextInt(n);
        BackendState x = b[i];
        BackendState y = b[other(random, i, n)];
        if (Eligibility.eligible(x, exclude, ticker, true) && Eligibility.eligible(y, exclude, ticker, true)) {
            return lighter(x, y);
        }
        boolean honourEjection = Eligibility.honourEjection(b, exclude, ticker);
        int eligible = Eligibility.count(b, exclude, ticker, honourEjection);
        if (eligible <= 1) {
            BackendState only = Eligibility.nth(b, 0, exclude, ticker, honourEjection);
            return only != null ? only : x;
        }
        int first = random.nextInt(eligible);
        BackendState u = Eligibility.nth(b, first, exclude, ticker, honourEjection);
        BackendState v = Eligibility.nth(b, other(random, first, eligible), exclude, ticker, honourEjection);
        if (u == null || v == null) {
            return u != null ? u : v != null ? v : x; // health changed under us
        }
        return lighter(u, v);
    }

    /** A uniform index in [0, n) other than {@code i}. */
    private static int other(ThreadLocalRandom random, int i, int n) {
        int j = random.nextInt(n - 1);
        return j >= i ? j + 1 : j;
    }

    private static BackendState lighter(BackendState x, BackendState y) {
        return y.inFlight() < x.inFlight() ? y : x;
    }
}
