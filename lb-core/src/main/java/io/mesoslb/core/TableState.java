package io.mesoslb.core;

import io.mesoslb.core.HostClaims.Claim;
import io.mesoslb.core.RouteTable.HostEntry;
import io.mesoslb.core.RouteTable.PortOwner;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What the live table was decided from, kept by the holder's writer so that the next table is
 * built from the apps that changed alone: every app's current {@link App}, every host's and
 * service port's claimants, and the conflicts. {@link #apply} recomputes the changed apps' routes,
 * re-decides the hosts and ports they claimed or claim now (with all their other claimants, so the
 * winners and losers are those a build from scratch gives), and edits the previous table's indexes
 * by copy-on-write: every other route, host slot and index chunk is the previous table's own.
 * Guarded by the holder; never seen by readers.
 */
final class TableState {
    private final RouteTableBuilder builder;
    private final Map<String, App> apps = new HashMap<>();
    private final Map<String, List<Claim>> anyPath = new HashMap<>();
    private final Map<String, Map<String, List<Claim>>> byPrefix = new HashMap<>();
    /** Port to its claimants in route id order. */
    private final Map<Integer, List<Route>> portClaims = new HashMap<>();
    private final Map<String, List<RouteConflict>> reservedConflicts = new HashMap<>();
    private final Map<String, List<RouteConflict>> hostConflicts = new HashMap<>();
    private final Map<Integer, RouteConflict> portConflicts = new HashMap<>();
    private final TreeSet<RouteConflict> conflicts = new TreeSet<>(RouteTable.CONFLICT_ORDER);
    private Map<String, String> reservedHosts = Map.of();

    TableState(RouteTableBuilder builder) {
        this.builder = builder;
    }

    /** The hosts no app but a reserved one may claim: set them, then {@link #apply} every app with {@code force}. */
    void reserve(Map<String, String> hosts) {
        reservedHosts = hosts;
    }

    /** The ids of every app routed now. */
    Set<String> ids() {
        return apps.keySet();
    }

    /**
     * @param ids      the apps that may have changed
     * @param resolve  an id to its app now, or null when it is gone
     * @param reserved whether an id is a reserved (static) app's, which the reserved hosts do not apply to
     * @param force    recompute the routes even of apps equal to what they were (the reserved hosts changed)
     * @return the next table with what differs from {@code previous}, or null when it would route exactly as
     *         {@code previous} does
     */
    TableChange apply(Collection<String> ids, Function<String, App> resolve, Set<String> reserved, boolean force,
                     RouteTable previous) {
        SlotIndex.Editor<Route> appIndex = previous.appIndex().edit(RouteTable.APP_HASH, RouteTable.SAME_APP);
        SortedChunks.Editor<String, Route> routes = previous.sortedRoutes().edit();
        Set<String> dirtyHosts = new HashSet<>();
        Set<Integer> dirtyPorts = new HashSet<>();
        Set<String> changedApps = new HashSet<>();
        Set<Integer> changedPorts = new HashSet<>();
        boolean changed = false;
        boolean conflictsChanged = false;
        for (String id : ids) {
            App app = resolve.apply(id);
            App before = apps.get(id);
            if (!force && Objects.equals(app, before)) {
                continue;
            }
            Route old = previous.routeForApp(id);
            if (old != null) {
                release(old, dirtyHosts, dirtyPorts);
            }
            List<RouteConflict> oldReserved = reservedConflicts.remove(id);
            if (oldReserved != null) {
                conflicts.removeAll(oldReserved);
            }
            if (app == null) {
                apps.remove(id);
                conflictsChanged |= oldReserved != null;
                if (old != null) {
                    appIndex.remove(old);
                    routes.remove(id);
                    changedApps.add(id);
                    changed = true;
                }
                continue;
            }
            apps.put(id, app);
            List<RouteConflict> lost = new ArrayList<>(0);
            Route route = builder.route(app, old, reserved.contains(id) ? Map.of() : reservedHosts, lost);
            if (old != null && old.sameContent(route)) {
                route = old; // same backends, same states: the rotation and the ejections stay as they are
            } else {
                appIndex.put(route);
                routes.put(route);
                changedApps.add(id);
                changed = true;
            }
            if (!lost.isEmpty()) {
                reservedConflicts.put(id, lost);
                conflicts.addAll(lost);
            }
            conflictsChanged |= !lost.equals(oldReserved == null ? List.of() : oldReserved);
            claim(route, app.spec(), dirtyHosts, dirtyPorts);
        }
        SlotIndex.Editor<HostEntry> hosts = previous.hostIndex().edit(RouteTable.HOST_HASH, RouteTable.SAME_HOST);
        int anyPathHosts = previous.anyPathHosts();
        for (String host : dirtyHosts) {
            List<RouteConflict> found = new ArrayList<>(0);
            List<Claim> whole = anyPath.get(host);
            Route winner = whole == null ? null : HostClaims.decide(host, "", whole, found);
            Map<String, List<Claim>> prefixes = byPrefix.get(host);
            Map<String, Route> winners = null;
            if (prefixes != null) {
                winners = new HashMap<>();
                for (Map.Entry<String, List<Claim>> e : prefixes.entrySet()) {
                    winners.put(e.getKey(), HostClaims.decide(host, e.getKey(), e.getValue(), found));
                }
            }
            HostEntry was = previous.entry(host);
            PathRoutes wasPaths = was == null ? null : was.paths();
            boolean samePaths = winners == null ? wasPaths == null : wasPaths != null && wasPaths.sameRoutes(winners);
            if (was == null || was.route() != winner || !samePaths) {
                changed = true;
                if (winner == null && winners == null) {
                    hosts.remove(new HostEntry(host, null, null));
                } else {
                    hosts.put(new HostEntry(host, winner, samePaths ? wasPaths : winners == null ? null
                            : new PathRoutes(winners)));
                }
                anyPathHosts += (winner != null ? 1 : 0) - (was != null && was.route() != null ? 1 : 0);
            }
            found.sort(RouteTable.CONFLICT_ORDER);
            List<RouteConflict> had = found.isEmpty() ? hostConflicts.remove(host) : hostConflicts.put(host, found);
            if (!found.equals(had == null ? List.of() : had)) {
                if (had != null) {
                    conflicts.removeAll(had);
                }
                conflicts.addAll(found);
                conflictsChanged = true;
            }
        }
        SlotIndex.Editor<PortOwner> ports = previous.portIndex().edit(RouteTable.PORT_HASH, RouteTable.SAME_PORT);
        SortedChunks.Editor<Integer, PortOwner> sortedPorts = previous.sortedPorts().edit();
        for (int port : dirtyPorts) {
            List<Route> claimants = portClaims.get(port);
            List<RouteConflict> found = new ArrayList<>(0);
            Route owner = claimants == null ? null : RouteTableBuilder.portOwner(port, claimants, found);
            if (owner != previous.servicePortRoute(port)) {
                changed = true;
                changedPorts.add(port);
                PortOwner entry = new PortOwner(port, owner);
                if (owner == null) {
                    ports.remove(entry);
                    sortedPorts.remove(port);
                } else {
                    ports.put(entry);
                    sortedPorts.put(entry);
                }
            }
            RouteConflict now = found.isEmpty() ? null : found.get(0);
            RouteConflict had = now == null ? portConflicts.remove(port) : portConflicts.put(port, now);
            if (!Objects.equals(now, had)) {
                if (had != null) {
                    conflicts.remove(had);
                }
                if (now != null) {
                    conflicts.add(now);
                }
                conflictsChanged = true;
            }
        }
        List<RouteConflict> conflictList = previous.conflicts();
        if (conflictsChanged) {
            List<RouteConflict> now = List.copyOf(conflicts);
            if (!now.equals(conflictList)) {
                RouteTableBuilder.logNew(now, conflictList);
                conflictList = now;
                changed = true;
            }
        }
        if (!changed) {
            return null;
        }
        RouteTable next = new RouteTable(previous.version() + 1, hosts.freeze(), anyPathHosts, appIndex.freeze(),
                routes.freeze(), ports.freeze(), sortedPorts.freeze(), conflictList);
        return new TableChange(previous, next, changedApps, changedPorts);
    }

    private void release(Route old, Set<String> dirtyHosts, Set<Integer> dirtyPorts) {
        for (String host : old.vhosts()) {
            dirtyHosts.add(host);
            if (old.paths().isEmpty()) {
                drop(anyPath, host, old);
                continue;
            }
            Map<String, List<Claim>> prefixes = byPrefix.get(host);
            if (prefixes != null) {
                for (String prefix : old.paths()) {
                    drop(prefixes, prefix, old);
                }
                if (prefixes.isEmpty()) {
                    byPrefix.remove(host);
                }
            }
        }
        if (old.servicePort() != null) {
            int port = old.servicePort().port();
            dirtyPorts.add(port);
            List<Route> claimants = portClaims.get(port);
            if (claimants != null) {
                claimants.removeIf(r -> r == old);
                if (claimants.isEmpty()) {
                    portClaims.remove(port);
                }
            }
        }
    }

    private static void drop(Map<String, List<Claim>> claims, String key, Route route) {
        List<Claim> list = claims.get(key);
        if (list != null) {
            list.removeIf(c -> c.route() == route);
            if (list.isEmpty()) {
                claims.remove(key);
            }
        }
    }

    private void claim(Route route, RouteSpec spec, Set<String> dirtyHosts, Set<Integer> dirtyPorts) {
        Claim claim = Claim.of(route, !spec.vhosts().isEmpty(), spec.weight());
        for (String host : route.vhosts()) {
            dirtyHosts.add(host);
            if (route.paths().isEmpty()) {
                anyPath.computeIfAbsent(host, h -> new ArrayList<>(1)).add(claim);
                continue;
            }
            Map<String, List<Claim>> prefixes = byPrefix.computeIfAbsent(host, h -> new HashMap<>());
            for (String prefix : route.paths()) {
                prefixes.computeIfAbsent(prefix, p -> new ArrayList<>(1)).add(claim);
            }
        }
        if (route.servicePort() != null) {
            int port = route.servicePort().port();
            dirtyPorts.add(port);
            List<Route> claimants = portClaims.computeIfAbsent(port, p -> new ArrayList<>(1));
            int at = 0;
            while (at < claimants.size() && claimants.get(at).appId().compareTo(route.appId()) < 0) {
                at++;
            }
            claimants.add(at, route);
        }
    }
}
