package io.mesoslb.core;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
        return build(List.of(), apps, previous, version);
    }

    /**
     * @param reserved apps whose hosts are theirs alone (the admin vhosts, whose clients send the
     *                 masters' credentials): no other app claims such a host, neither whole nor under
     *                 a path, whatever its weight; each such claim is listed as a conflict. They
     *                 come before {@code apps} for an id listed twice.
     */
    public RouteTable build(Collection<App> reserved, Collection<App> apps, RouteTable previous, long version) {
        Map<String, String> reservedHosts = reservedHosts(reserved);
        Set<App> owners = Collections.newSetFromMap(new IdentityHashMap<>());
        owners.addAll(reserved);
        List<App> sorted = new ArrayList<>(reserved.size() + apps.size());
        sorted.addAll(reserved);
        sorted.addAll(apps);
        sorted.sort(Comparator.comparing(App::id));
        HostClaims claims = new HostClaims();
        List<Route> routes = new ArrayList<>(sorted.size());
        List<RouteConflict> conflicts = new ArrayList<>();
        String lastId = null;
        for (App app : sorted) {
            if (app.id().equals(lastId)) {
                // Two routes under one id would make routeForApp and the shared cursor ambiguous.
                log.warn("app {} is listed twice; keeping the first", app.id());
                continue;
            }
            lastId = app.id();
            Route route = route(app, previous.routeForApp(app.id()), owners.contains(app) ? Map.of() : reservedHosts,
                    conflicts);
            routes.add(route);
            claims.add(route, !app.spec().vhosts().isEmpty(), app.spec().weight());
        }
        Map<String, Route> byHost = claims.hosts(conflicts);
        Map<String, PathRoutes> byHostPaths = claims.paths(conflicts);
        Map<Integer, Route> servicePorts = servicePorts(routes, conflicts);
        RouteTable table = new RouteTable(version, byHost, byHostPaths, routes, conflicts, servicePorts);
        logNew(table.conflicts(), previous.conflicts());
        return table;
    }

    /** Host to the id of the reserved app that has it (the first that names it). */
    Map<String, String> reservedHosts(Collection<App> reserved) {
        Map<String, String> reservedHosts = new HashMap<>();
        for (App app : reserved) {
            for (String host : naming.vhostsFor(app.id(), app.spec())) {
                reservedHosts.putIfAbsent(host, app.id());
            }
        }
        return reservedHosts;
    }

    /**
     * The app's route, with the cursor and the remaining backends' states of its {@code old} one.
     *
     * @param reservedHosts hosts the app may not claim (each claimed one is listed as a conflict it lost)
     */
    Route route(App app, Route old, Map<String, String> reservedHosts, List<RouteConflict> conflicts) {
        RoundRobinCursor cursor = old != null ? old.cursor() : new RoundRobinCursor();
        BackendState[] states = states(app.backends(), old == null ? NO_STATES : old.states());
        RouteSpec spec = app.spec();
        // A port reachable only on its service port gets no host, not even a derived one.
        List<String> vhosts = spec.hostRouted() ? naming.vhostsFor(app.id(), spec) : List.of();
        // Decided before the reserved hosts are taken away: losing a host to them is a conflict, listed as one.
        boolean hostless = spec.hostRouted() && vhosts.isEmpty();
        if (!reservedHosts.isEmpty()) {
            vhosts = withoutReserved(app, vhosts, reservedHosts, conflicts);
        }
        return new Route(app.id(), vhosts, spec.paths(), spec.options(), spec.servicePort(), hostless, states, cursor,
                ticker);
    }

    /**
     * Each service port's owner. Of several routes claiming one port, the first by route id that has
     * a backend wins, else the first by route id: the same on every balancer, and, as marathon-lb
     * leaves an app with no task out of its configuration, an app scaled to zero does not hide
     * another that has tasks. marathon-lb itself decides nothing here: it writes a frontend for each
     * claimant and leaves HAProxy to bind the port twice. Each loser is listed as a conflict.
     *
     * @param routes in route id order
     */
    private static Map<Integer, Route> servicePorts(List<Route> routes, List<RouteConflict> conflicts) {
        Map<Integer, List<Route>> claims = new TreeMap<>();
        for (Route r : routes) {
            if (r.servicePort() != null) {
                claims.computeIfAbsent(r.servicePort().port(), p -> new ArrayList<>(1)).add(r);
            }
        }
        Map<Integer, Route> owners = new TreeMap<>();
        claims.forEach((port, claimants) -> owners.put(port, portOwner(port, claimants, conflicts)));
        return owners;
    }

    /** @param claimants in route id order, at least one */
    static Route portOwner(int port, List<Route> claimants, List<RouteConflict> conflicts) {
        Route winner = claimants.get(0);
        if (claimants.size() > 1) {
            for (Route c : claimants) {
                if (!c.isEmpty()) {
                    winner = c;
                    break;
                }
            }
            List<String> losers = new ArrayList<>(claimants.size() - 1);
            for (Route c : claimants) {
                if (c != winner) {
                    losers.add(c.appId());
                }
            }
            conflicts.add(RouteConflict.forServicePort(port, winner.appId(), losers));
        }
        return winner;
    }

    /** {@code vhosts} but for the reserved hosts, each of which is noted as a conflict the app lost. */
    private static List<String> withoutReserved(App app, List<String> vhosts, Map<String, String> reservedHosts,
                                                List<RouteConflict> conflicts) {
        List<String> kept = new ArrayList<>(vhosts.size());
        for (String host : vhosts) {
            String owner = reservedHosts.get(host);
            if (owner == null) {
                kept.add(host);
                continue;
            }
            List<String> paths = app.spec().paths().isEmpty() ? List.of("") : app.spec().paths();
            for (String path : paths) {
                conflicts.add(new RouteConflict(host, path, owner, List.of(app.id())));
            }
        }
        return kept.size() == vhosts.size() ? vhosts : kept;
    }

    /**
     * Each conflict once, when it appears or its outcome changes, not on every rebuild: tables are
     * rebuilt whenever a task comes or goes.
     */
    static void logNew(List<RouteConflict> now, List<RouteConflict> before) {
        if (now.isEmpty() || now.equals(before)) {
            return;
        }
        Set<RouteConflict> known = new HashSet<>(before);
        for (RouteConflict c : now) {
            if (!known.contains(c)) {
                log.warn("{}{} is claimed by {} and {}; {} serves it", c.isServicePort() ? "" : "vhost ", c.where(),
                        c.winner(), c.losers(), c.winner());
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
