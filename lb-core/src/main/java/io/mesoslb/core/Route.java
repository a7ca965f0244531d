package io.mesoslb.core;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One app's place in the routing table: the hosts it answers to (for every path, or only under
 * some path prefixes) and its backends, immutable. Selection is round-robin over the backends
 * that are not ejected, or by another {@link Balance} mode through {@link #select(Balance, int, Backend)}.
 */
public final class Route {
    private final String appId;
    private final List<String> vhosts;
    private final List<String> paths;
    private final RouteOptions options;
    private final ServicePort servicePort;
    private final boolean hostless;
    private final BackendState[] backends;
    private final RoundRobinCursor cursor;
    private final Ticker ticker;

    public Route(String appId, List<String> vhosts, BackendState[] backends, RoundRobinCursor cursor, Ticker ticker) {
        this(appId, vhosts, List.of(), RouteOptions.NONE, backends, cursor, ticker);
    }

    /** @param paths the path prefixes it answers under on its vhosts; empty for every path */
    public Route(String appId, List<String> vhosts, List<String> paths, RouteOptions options, BackendState[] backends,
                 RoundRobinCursor cursor, Ticker ticker) {
        this(appId, vhosts, paths, options, null, backends, cursor, ticker);
    }

    /** @param servicePort the port it is also served on whatever the Host; null for none */
    public Route(String appId, List<String> vhosts, List<String> paths, RouteOptions options, ServicePort servicePort,
                 BackendState[] backends, RoundRobinCursor cursor, Ticker ticker) {
        this(appId, vhosts, paths, options, servicePort, false, backends, cursor, ticker);
    }

    /**
     * @param hostless whether it was to be found by Host but has no host name: none was given and none
     *                 could be derived from its id (see {@link #hostless()})
     */
    public Route(String appId, List<String> vhosts, List<String> paths, RouteOptions options, ServicePort servicePort,
                 boolean hostless, BackendState[] backends, RoundRobinCursor cursor, Ticker ticker) {
        this.appId = appId;
        this.vhosts = List.copyOf(vhosts);
        this.paths = List.copyOf(paths);
        this.options = options;
        this.servicePort = servicePort;
        this.hostless = hostless;
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

    /**
     * The port it is served on whatever the Host, as its app asked; null when none. Whether it owns
     * that port is the table's say ({@link RouteTable#servicePortRoute(int)}): another route may have won it.
     */
    public ServicePort servicePort() {
        return servicePort;
    }

    /**
     * Whether it asked to be found by Host but has no host name: it was given none and none could be
     * derived from its id (no domain is set, or the id makes no valid name under it). No request
     * reaches it by Host; only its service port, if any, or routing by app id does. A route meant
     * for its service port alone is not hostless.
     */
    public boolean hostless() {
        return hostless;
    }

    /** Whether plain-http requests get a redirect to https. */
    public boolean httpsOnly() {
        return options.httpsOnly();
    }

    /** The route's switches and protections (balance mode, allowed networks, basic auth). */
    public RouteOptions options() {
        return options;
    }

    /** Whether clients keep the backend that first served them (see {@link #selectSticky}). */
    public boolean sticky() {
        return options.sticky();
    }

    /** The path prefixes this route answers under on its vhosts; empty when it takes every path. */
    public List<String> paths() {
        return paths;
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

    /** Whether {@code backend} is one of this route's backends; for table listeners, not the hot path. */
    public boolean serves(Backend backend) {
        for (BackendState s : backends) {
            if (s.backend().equals(backend)) {
                return true;
            }
        }
        return false;
    }

    /** How many backends are ejected right now; for gauges and the admin API, not the hot path. */
    public int ejectedCount() {
        return ejectedCount(ticker.nanos());
    }

    int ejectedCount(long nowNanos) {
        int n = 0;
        for (BackendState s : backends) {
            if (s.isEjected(nowNanos)) {
                n++;
            }
        }
        return n;
    }

    void forEachBackend(Consumer<BackendState> action) {
        for (BackendState s : backends) {
            action.accept(s);
        }
    }

    /** The live array, for the table builder; never modified. */
    BackendState[] states() {
        return backends;
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
     * The backend whose {@linkplain Backend#stickyToken() token} a client's cookie carries, when it
     * is still in this route and not ejected; null otherwise (the caller then selects as usual).
     * A linear scan: sticky routes are opt-in and an app's backends are few.
     */
    public BackendState selectSticky(CharSequence token) {
        if (token == null) {
            return null;
        }
        long now = ticker.nanos();
        for (BackendState s : backends) {
            if (s.backend().stickyTokenEquals(token)) {
                return s.isEjected(now) ? null : s;
            }
        }
        return null;
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
        long turn = cursor.next();
        int start = (int) Long.remainderUnsigned(turn, n);
        BackendState first = b[start];
        if (!first.hasEjection() && !first.backend().equals(exclude)) {
            return first;
        }
        return selectAround(b, turn, start, exclude, ticker.nanos());
    }

    /**
     * The backend for a new request attempt by {@code balance}; the data plane's one entry point:
     *
     * <pre>{@code
     * BackendState s = route.select(balance, client == null ? 0 : client.hashCode(), null);
     * s.acquired();                 // before connecting
     * ...                           // the exchange, however it ends:
     * s.released();                 // exactly once per acquired()
     * // a retry after a failure on s: release s, then
     * BackendState next = route.select(balance, clientHash, s.backend()); next.acquired(); ...
     * }</pre>
     *
     * <p>Every mode skips ejected backends and avoids {@code exclude} whenever another backend is
     * available; when every backend is ejected it chooses among all of them (but {@code exclude}),
     * as {@link #select(Backend)} does. {@link Balance#ROUND_ROBIN} is exactly {@link #select(Backend)}:
     * one atomic increment, no clock read, no allocation. The others allocate nothing either and
     * read the clock only for backends with an ejection recorded.
     *
     * @param balance never null; a route without a mode set uses {@link Balance#ROUND_ROBIN}
     * @param clientHash used by {@link Balance#SOURCE} only (pass anything else to the rest): equal
     *     for equal client addresses and nothing else, typically {@code InetAddress.hashCode()} of the
     *     client as resolved from the PROXY header or a trusted {@code X-Forwarded-For} (not the ELB's
     *     address, which every client shares), never including the port. Mixed here; any int will do.
     * @param exclude the backend this request just failed on, or null
     * @return a backend's state, or null if the route has none
     */
    public BackendState select(Balance balance, int clientHash, Backend exclude) {
        if (balance == Balance.ROUND_ROBIN) {
            return select(exclude);
        }
        BackendState[] b = backends;
        if (b.length <= 1) {
            return b.length == 0 ? null : b[0]; // as round robin: the only backend even if ejected or excluded
        }
        switch (balance) {
            case LEAST_CONN:
                return LeastConnSelection.select(b, cursor.next(), exclude, ticker);
            case SOURCE:
                return SourceSelection.select(b, clientHash, exclude, ticker);
            case LEAST_REQUEST:
                return TwoChoicesSelection.select(b, exclude, ticker);
            default:
                throw new IllegalArgumentException("balance " + balance);
        }
    }

    /** {@link #select(Balance, int, Backend)} for a request's first attempt. */
    public BackendState select(Balance balance, int clientHash) {
        return select(balance, clientHash, null);
    }

    /**
     * The slot at {@code start} is unavailable. Its turn goes to the available backends in turn,
     * rather than to its neighbour, which would otherwise take twice its share for as long as the
     * ejection lasts: unavailable slots' turns are numbered consecutively across rounds and dealt
     * round-robin over the available backends, so the traffic stays exactly even.
     */
    private static BackendState selectAround(BackendState[] b, long turn, int start, Backend exclude, long now) {
        if (isAvailable(b[start], exclude, now)) {
            return b[start]; // an ejection that has run out but is not yet cleared
        }
        int n = b.length;
        int available = 0;
        int rankOfStart = 0;
        for (int i = 0; i < n; i++) {
            if (isAvailable(b[i], exclude, now)) {
                available++;
            } else if (i < start) {
                rankOfStart++;
            }
        }
        if (available == 0) {
            // Nothing healthy: passive health alone never makes an app unreachable, so keep the
            // plain rotation, stepping past the backend that just failed this request if possible.
            BackendState first = b[start];
            return first.backend().equals(exclude) && n > 1 ? b[(start + 1) % n] : first;
        }
        long unavailableTurn = Long.divideUnsigned(turn, n) * (n - available) + rankOfStart;
        int target = (int) Long.remainderUnsigned(unavailableTurn, available);
        BackendState last = null;
        for (int i = 0; i < n; i++) {
            BackendState s = b[i];
            if (isAvailable(s, exclude, now)) {
                if (target-- == 0) {
                    return s;
                }
                last = s;
            }
        }
        // Health changed between the two walks; any available backend will do.
        return last != null ? last : b[start];
    }

    private static boolean isAvailable(BackendState s, Backend exclude, long now) {
        return !s.isEjected(now) && !s.backend().equals(exclude);
    }

    boolean sameContent(Route other) {
        if (!appId.equals(other.appId) || !vhosts.equals(other.vhosts) || !paths.equals(other.paths)
                || !options.equals(other.options)
                || !Objects.equals(servicePort, other.servicePort) || hostless != other.hostless
                || backends.length != other.backends.length) {
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
        return appId + vhosts + (paths.isEmpty() ? "" : paths.toString())
                + (servicePort == null ? "" : ":" + servicePort.port()) + Arrays.toString(backends);
    }
}
