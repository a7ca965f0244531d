package io.mesoslb.core;

/**
 * {@link Balance#LEAST_CONN}: the eligible backend with the fewest requests in flight, ties dealt in
 * turn. Two passes, the first finding the least count and how many share it, the second taking the
 * tie whose rank the route's rotation gives: a single pass from a rotating start would hand a tie
 * to whichever tied backend follows the busy ones, twice as often as the others.
 */
final class LeastConnSelection {
    private LeastConnSelection() {
    }

    static BackendState select(BackendState[] b, long turn, Backend exclude, Ticker ticker) {
        boolean honourEjection = true;
        long least = least(b, exclude, ticker, true);
        if (ties(least) == 0) {
            honourEjection = false;
            least = least(b, exclude, ticker, false);
        }
        int min = (int) (least >>> 32);
        int target = (int) Long.remainderUnsigned(turn, Math.max(1, ties(least)));
        BackendState lightest = null;
        int lightestLoad = Integer.MAX_VALUE;
        for (BackendState s : b) {
            if (!Eligibility.eligible(s, exclude, ticker, honourEjection)) {
                continue;
            }
            int load = s.inFlight();
            if (load == min && target-- == 0) {
                return s;
            }
            if (load < lightestLoad) {
                lightest = s;
                lightestLoad = load;
            }
        }
        // Counts or health moved between the passes (other event loops' requests began or ended).
        return lightest != null ? lightest : Eligibility.nth(b, 0, exclude, ticker, false);
    }

    /** The least in-flight count in the high half and how many eligible backends have it in the low half; no allocation. */
    private static long least(BackendState[] b, Backend exclude, Ticker ticker, boolean honourEjection) {
        int min = Integer.MAX_VALUE;
        int ties = 0;
        for (BackendState s : b) {
            if (!Eligibility.eligible(s, exclude, ticker, honourEjection)) {
                continue;
            }
            int load = s.inFlight();
            if (load < min) {
                min = load;
                ties = 1;
            } else if (load == min) {
                ties++;
            }
        }
        return (long) min << 32 | ties;
    }

    private static int ties(long least) {
        return (int) least;
    }
}
