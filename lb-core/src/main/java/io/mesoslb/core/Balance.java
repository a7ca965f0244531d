package io.mesoslb.core;

import java.util.Locale;

/**
 * How a route picks among its backends for a new request; see {@link Route#select(Balance, int, Backend)}.
 * Every mode skips ejected backends, and ignores ejection when every backend is ejected, as round
 * robin always has: passive health alone never makes an app unreachable.
 */
public enum Balance {
    /** Each backend in turn, exactly evenly; the default. */
    ROUND_ROBIN,
    /**
     * The backend with the fewest requests in flight ({@link BackendState#inFlight()}); among equals,
     * each in turn, so idle backends share the traffic evenly rather than the first taking it all.
     * Reads every backend's count per request: linear in the app's size.
     */
    LEAST_CONN,
    /**
     * The same backend for the same client address while the route's backends stay the same
     * (HAProxy's {@code balance source} with its default {@code hash-type map-based}): the hash
     * modulo the number of backends. Adding or removing a backend moves most clients, as in HAProxy;
     * there is no consistent-hash ring. Unlike HAProxy, an ejected backend moves only its own
     * clients, spread over the others by a second hash, and they come back when it returns.
     */
    SOURCE,
    /**
     * Two distinct backends drawn at random, the one with fewer requests in flight taken (Envoy's
     * default, "power of two choices"): nearly least-connection's balance at constant cost.
     */
    LEAST_REQUEST;

    /** Whether choosing needs each backend's in-flight count, which the data plane then keeps (acquired/released). */
    public boolean countsInFlight() {
        return this == LEAST_CONN || this == LEAST_REQUEST;
    }

    /**
     * The mode an HAProxy {@code balance} word names, case-insensitive
     * and trimmed, or null for a word this proxy does not know, so the caller can warn and keep the
     * default. {@code static-rr} and {@code first} read as round robin: without server weights
     * static-rr is round robin, and {@code first} (fill one backend up to its maxconn before the
     * next) needs a per-backend connection limit this proxy does not have. HAProxy's arguments
     * after the word ({@code hdr(name)}, {@code url_param}) are not accepted.
     */
    public static Balance parse(String word) {
        if (word == null) {
            return null;
        }
        switch (word.trim().toLowerCase(Locale.ROOT)) {
            case "roundrobin":
            case "round-robin":
            case "round_robin":
            case "static-rr":
            case "first":
                return ROUND_ROBIN;
            case "leastconn":
                return LEAST_CONN;
            case "source":
                return SOURCE;
            case "least-request":
            case "least_request":
                return LEAST_REQUEST;
            default:
                return null;
        }
    }
}
