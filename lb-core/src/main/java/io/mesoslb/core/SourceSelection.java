package io.mesoslb.core;

/**
 * {@link Balance#SOURCE}: a client's home backend is its address hash modulo the route's size.
 * While the home backend is ineligible (ejected, or the one this request just failed on), its
 * clients are spread over the eligible backends by a second hash of the same address, so each
 * still lands on one backend, and the clients of the other backends do not move at all.
 */
final class SourceSelection {
    private SourceSelection() {
    }

    static BackendState select(BackendState[] b, int clientHash, Backend exclude, Ticker ticker) {
        int h = mix(clientHash);
        BackendState home = b[Integer.remainderUnsigned(h, b.length)];
        if (Eligibility.eligible(home, exclude, ticker, true)) {
            return home;
        }
        boolean honourEjection = Eligibility.honourEjection(b, exclude, ticker);
        if (!honourEjection && Eligibility.eligible(home, exclude, ticker, false)) {
            return home; // everything is ejected: the client keeps its own backend
        }
        int eligible = Eligibility.count(b, exclude, ticker, honourEjection);
        if (eligible == 0) {
            return home; // health changed under us
        }
        // A second, independent hash: reusing h modulo a smaller count would send the displaced
        // clients mostly to the home backend's neighbours.
        int rank = Integer.remainderUnsigned(mix(h ^ 0x5bd1e995), eligible);
        BackendState other = Eligibility.nth(b, rank, exclude, ticker, honourEjection);
        return other != null ? other : home;
    }

    /**
     * Murmur3's finaliser: {@code InetAddress.hashCode()} of an IPv4 address is the address itself,
     * and clients numbered in steps of the route's size would otherwise all share one backend.
     */
    static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
