package io.mesoslb.core;

import java.util.Arrays;
import java.util.List;

/**
 * One app's place in the routing table: the hosts it answers to and its backends, immutable.
 * Selection is round-robin over the backends that are not ejected.
 */
public final class Route {
    private final String appId;
    private final List<String> vhosts;
    private final BackendState[] backends;
    private final RoundRobinCursor cursor;
    private final Ticker ticker;

    public Route(String appId, List<String> vhosts, BackendState[] backends, RoundRobinCursor cursor, Ticker ticker) {
        this.appId = appId;
        this.vhosts = List.copyOf(vhosts);
        this.backends = backends.clone();
        this.cursor = cursor;
        this.ticker = ticker;
    }

    public String appId() {
        return appId;
    }

    public List<String> vhosts() {
        return vhosts;
    }

    public int size() {
        return backends.length;
    }

    public boolean isEmpty() {
        return backends.length == 0;
    }

    /** The backend states, in table order. A copy: callers may not reorder the live array. */
    public List<BackendState> backends() {
        return List.of(backends);
    }

    RoundRobinCursor cursor() {
        return cursor;
    }

    /**
     * The next backend in rotation, skipping ejected ones. When every backend is ejected the plain
     * rotation is used: an app is never made unreachable by passive health alone.
     *
     * @return a backend's state ({@link BackendState#backend()} is where to connect), or null if the
     *     route has none
     */
    public BackendState select() {
        return select(null);
    }

    /**
     * Like {@link #select()}, but avoids {@code exclude} (a backend that just failed this request)
     * whenever another backend is available.
     */
    public BackendState select(Backend exclude) {
        BackendState[] b = backends;
        int n = b.length;
        if (n == 0) {
            return null;
        }
        int start = cursor.nextIndex(n);
        BackendState first = b[start];
        if (!first.hasEjection() && !first.backend().equals(exclude)) {
            return first;
        }
        long now = ticker.nanos();
        BackendState fallback = null;
        for (int i = 0; i < n; i++) {
            BackendState s = b[(start + i) % n];
            boolean excluded = s.backend().equals(exclude);
            if (!excluded && !s.isEjected(now)) {
                return s;
            }
            if (fallback == null && !excluded) {
                fallback = s;
            }
        }
        return fallback != null ? fallback : first;
    }

    boolean sameContent(Route other) {
        if (!appId.equals(other.appId) || !vhosts.equals(other.vhosts) || backends.length != other.backends.length) {
            return false;
        }
        for (int i = 0; i < backends.length; i++) {
            if (!backends[i].backend().equals(other.backends[i].backend())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return appId + vhosts + Arrays.toString(backends);
    }
}
