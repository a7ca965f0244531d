package io.mesoslb.core;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the next {@link RouteTable} from what discovery reports, carrying over from the previous
 * table the state that must outlive a swap: each app's round-robin cursor and each remaining
 * backend's health state.
 */
public final class RouteTableBuilder {
    private static final Logger log = LoggerFactory.getLogger(RouteTableBuilder.class);

    /**
     * Table order of an app's backends: by task, stable across rebuilds. It is a total order
     * consistent with {@link Backend#equals}, which the dedupe and the merge walk rely on.
     */
    private static final Comparator<Backend> ORDER = RouteTableBuilder::order;
    private static final BackendState[] NO_STATES = new BackendState[0];

    private final VhostNaming naming;
    private final Ticker ticker;

    /** {@link #ORDER} in one method: a chain of comparators nests too deep for the JIT to inline it all. */
    private static int order(Backend a, Backend b) {
        if (a == b) {
            return 0;
        }
        int c = a.taskId().compareTo(b.taskId());
        if (c == 0) {
            c = a.address().compareTo(b.address());
        }
        if (c == 0) {
            c = a.host().compareTo(b.host());
        }
        if (c == 0) {
            c = Integer.compare(a.port(), b.port());
        }
        if (c == 0) {
            c = a.appId().compareTo(b.appId());
        }
        return c != 0 ? c : compareResolved(a.resolved(), b.resolved());
    }

    /**
     * Orders the addresses names resolved to, consistently with {@code equals}; IP literals (null)
     * and unchanged backends, nearly all of them, are decided without allocating.
     */
    private static int compareResolved(InetAddress a, InetAddress b) {
        if (a == b || (a != null && a.equals(b))) {
            return 0;
        }
        if (a == null || b == null) {
            return a == null ? -1 : 1;
        }
        int byHash = Integer.compare(a.hashCode(), b.hashCode());
        return byHash != 0 ? byHash : a.getHostAddress().compareTo(b.getHostAddress());
    }

    public RouteTableBuilder(VhostNaming naming, Ticker ticker) {
        this.naming = naming;
        this.ticker = ticker;
    }

    /**
     * @param apps what discovery reports now; an id listed twice keeps its first occurrence
     * @param previous the live table, whose cursors and backend states are carried over
     */
    public RouteTable build(Collection<App> apps, RouteTable previous, long version) {
        List<App> sorted = new ArrayList<>(apps);
        sorted.sort(Comparator.comparing(App::id));
        HostClaims claims = new HostClaims();
        List<Route> routes = new ArrayList<>(sorted.size());
        String lastId = null;
        for (App app : sorted) {
            if (app.id().equals(lastId)) {
                // Two routes under one id would make routeForApp and the shared cursor ambiguous.
                log.warn("app {} is listed twice; keeping the first", app.id());
                continue;
            }
            lastId = app.id();
            Route old = previous.routeForApp(app.id());
            RoundRobinCursor cursor = old != null ? old.cursor() : new RoundRobinCursor();
            BackendState[] states = states(app.backends(), old == null ? NO_STATES : old.states());
            RouteSpec spec = app.spec();
            Route route = new Route(app.id(), naming.vhostsFor(app.id(), spec), spec.paths(), spec.options(), states,
                    cursor, ticker);
            routes.add(route);
            claims.add(route, !spec.vhosts().isEmpty(), spec.weight());
        }
        List<RouteConflict> conflicts = new ArrayList<>();
        Map<String, Route> byHost = claims.hosts(conflicts);
        Map<String, PathRoutes> byHostPaths = claims.paths(conflicts);
        logNew(conflicts, previous.conflicts());
        return new RouteTable(version, byHost, byHostPaths, routes, conflicts);
    }

    /**
     * Each conflict once, when it appears or its outcome changes, not on every rebuild: tables are
     * rebuilt whenever a task comes or goes.
     */
    private static void logNew(List<RouteConflict> now, List<RouteConflict> before) {
        if (now.isEmpty() || now.equals(before)) {
            return;
        }
        Set<RouteConflict> known = new HashSet<>(before);
        for (RouteConflict c : now) {
            if (!known.contains(c)) {
                log.warn("vhost {} is claimed by {} and {}; {} serves it", c.where(), c.winner(), c.losers(),
                        c.winner());
            }
        }
    }

    /**
     * The app's backends in table order, without duplicates, each with the state it had in the
     * previous table if it was there. Both lists are in the same order, so one merge walk pairs
     * them up without hashing every backend of the table.
     */
    private static BackendState[] states(List<Backend> backends, BackendState[] old) {
        Backend[] sorted = backends.toArray(new Backend[0]);
        Arrays.sort(sorted, ORDER);
        BackendState[] states = new BackendState[sorted.length];
        int n = 0;
        int j = 0;
        for (Backend b : sorted) {
            if (n > 0 && states[n - 1].backend().equals(b)) {
                continue;
            }
            while (j < old.length && ORDER.compare(old[j].backend(), b) < 0) {
                j++;
            }
            boolean kept = j < old.length && old[j].backend().equals(b);
            states[n++] = kept ? old[j++] : new BackendState(b);
        }
        return n == states.length ? states : Arrays.copyOf(states, n);
    }
}
