package io.mesoslb.core;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import java.util.function.ToIntFunction;

/**
 * An immutable snapshot of every route, indexed by canonical host.
 *
 * <p>{@link #lookup(CharSequence)} takes a raw {@code Host} header value and matches it without
 * allocating: the open-addressing index hashes the value lower-cased, stopping before any port and
 * trailing dot, exactly as {@link HostNames#normalize} would. Only non-ASCII (IDN) hosts take a
 * slower, allocating path.
 */
public final class RouteTable {
    public static final RouteTable EMPTY = new RouteTable(0, Map.of(), List.of());

    /**
     * The order of {@link #conflicts()}: host claims before service ports, then by host, path,
     * winner and losers, whichever way the table was built.
     */
    static final Comparator<RouteConflict> CONFLICT_ORDER = Comparator.comparingInt(RouteConflict::servicePort)
            .thenComparing(RouteConflict::host).thenComparing(RouteConflict::path)
            .thenComparing(RouteConflict::winner).thenComparing(c -> String.join(",", c.losers()));

    /** One host's slot: its route for every path (or null) and its path routes (or null). */
    record HostEntry(String host, Route route, PathRoutes paths) {
    }

    /** A service port and the route that owns it. */
    record PortOwner(int port, Route route) {
    }

    static final ToIntFunction<HostEntry> HOST_HASH = e -> hash(e.host(), 0, e.host().length());
    static final BiPredicate<HostEntry, HostEntry> SAME_HOST = (a, b) -> a.host().equals(b.host());
    static final ToIntFunction<Route> APP_HASH = r -> spread(r.appId().hashCode());
    static final BiPredicate<Route, Route> SAME_APP = (a, b) -> a.appId().equals(b.appId());
    static final ToIntFunction<PortOwner> PORT_HASH = p -> spread(p.port());
    static final BiPredicate<PortOwner, PortOwner> SAME_PORT = (a, b) -> a.port() == b.port();

    private final long version;
    /** Every host with a route, open addressing over {@link #hash} of the canonical host. */
    private final SlotIndex<HostEntry> hostIndex;
    /** How many hosts have a route for every path. */
    private final int anyPathHosts;
    private final SlotIndex<Route> appIndex;
    private final SortedChunks<String, Route> sortedRoutes;
    private final SlotIndex<PortOwner> portIndex;
    private final SortedChunks<Integer, PortOwner> sortedPorts;
    private final List<RouteConflict> conflicts;
    private final List<Route> routes;
    private final Map<String, Route> byHost;
    private final Map<Integer, Route> servicePorts;

    RouteTable(long version, Map<String, Route> byHost, List<Route> routes) {
        this(version, byHost, Map.of(), routes, List.of());
    }

    RouteTable(long version, Map<String, Route> byHost, Map<String, PathRoutes> byHostPaths, List<Route> routes,
               List<RouteConflict> conflicts) {
        this(version, byHost, byHostPaths, routes, conflicts, Map.of());
    }

    RouteTable(long version, Map<String, Route> byHost, Map<String, PathRoutes> byHostPaths, List<Route> routes,
               List<RouteConflict> conflicts, Map<Integer, Route> servicePorts) {
        this(version, hostIndex(byHost, byHostPaths), byHost.size(), appIndex(routes), sortedRoutes(routes),
                portIndex(servicePorts), sortedPorts(servicePorts), sortedConflicts(conflicts));
    }

    /** A table from its parts, which it shares with the table they were edited from. */
    RouteTable(long version, SlotIndex<HostEntry> hostIndex, int anyPathHosts, SlotIndex<Route> appIndex,
               SortedChunks<String, Route> sortedRoutes, SlotIndex<PortOwner> portIndex,
               SortedChunks<Integer, PortOwner> sortedPorts, List<RouteConflict> conflicts) {
        this.version = version;
        this.hostIndex = hostIndex;
        this.anyPathHosts = anyPathHosts;
        this.appIndex = appIndex;
        this.sortedRoutes = sortedRoutes;
        this.portIndex = portIndex;
        this.sortedPorts = sortedPorts;
        this.conflicts = conflicts;
        this.routes = sortedRoutes.asList();
        this.byHost = new HostsView();
        this.servicePorts = new PortsView();
    }

    private static SlotIndex<HostEntry> hostIndex(Map<String, Route> byHost, Map<String, PathRoutes> byHostPaths) {
        Set<String> hosts = new LinkedHashSet<>(byHost.keySet());
        hosts.addAll(byHostPaths.keySet());
        List<HostEntry> entries = new ArrayList<>(hosts.size());
        for (String host : hosts) {
            entries.add(new HostEntry(host, byHost.get(host), byHostPaths.get(host)));
        }
        return SlotIndex.of(entries, entries.size(), HOST_HASH, SAME_HOST);
    }

    private static SlotIndex<Route> appIndex(List<Route> routes) {
        return SlotIndex.of(routes, routes.size(), APP_HASH, SAME_APP);
    }

    private static SortedChunks<String, Route> sortedRoutes(List<Route> routes) {
        List<Route> sorted = new ArrayList<>(routes);
        sorted.sort(Comparator.comparing(Route::appId));
        return SortedChunks.of(sorted, Route::appId);
    }

    private static SlotIndex<PortOwner> portIndex(Map<Integer, Route> servicePorts) {
        List<PortOwner> owners = new ArrayList<>(servicePorts.size());
        servicePorts.forEach((port, route) -> owners.add(new PortOwner(port, route)));
        return SlotIndex.of(owners, owners.size(), PORT_HASH, SAME_PORT);
    }

    private static SortedChunks<Integer, PortOwner> sortedPorts(Map<Integer, Route> servicePorts) {
        List<PortOwner> owners = new ArrayList<>(servicePorts.size());
        new TreeMap<>(servicePorts).forEach((port, route) -> owners.add(new PortOwner(port, route)));
        return SortedChunks.of(owners, PortOwner::port);
    }

    static List<RouteConflict> sortedConflicts(Collection<RouteConflict> conflicts) {
        List<RouteConflict> sorted = new ArrayList<>(conflicts);
        sorted.sort(CONFLICT_ORDER);
        return List.copyOf(sorted);
    }

    SlotIndex<HostEntry> hostIndex() {
        return hostIndex;
    }

    int anyPathHosts() {
        return anyPathHosts;
    }

    SlotIndex<Route> appIndex() {
        return appIndex;
    }

    SortedChunks<String, Route> sortedRoutes() {
        return sortedRoutes;
    }

    SlotIndex<PortOwner> portIndex() {
        return portIndex;
    }

    SortedChunks<Integer, PortOwner> sortedPorts() {
        return sortedPorts;
    }

    /** Increases with every published snapshot. */
    public long version() {
        return version;
    }

    /** Every app, including those with no vhost or no backends, sorted by app id. */
    public List<Route> routes() {
        return routes;
    }

    /** Canonical host -> its route for every path (hosts with only path routes are not here). */
    public Map<String, Route> hosts() {
        return byHost;
    }

    /** Canonical host -> path prefix -> app id, longest prefix first, for the hosts with path routes. */
    public Map<String, Map<String, String>> pathRoutes() {
        Map<String, Map<String, String>> m = new TreeMap<>();
        hostIndex.forEach(e -> {
            if (e.paths() != null) {
                m.put(e.host(), e.paths().appsByPrefix());
            }
        });
        return m;
    }

    /** The hosts (and host and path prefixes) that several apps claim, with who serves each. */
    public List<RouteConflict> conflicts() {
        return conflicts;
    }

    /** How many hosts have any route. */
    public int hostCount() {
        return hostIndex.size();
    }

    /**
     * The route that owns a service port, for a connection accepted on it: no allocation, no lock.
     *
     * @return the owner, or null when no route has that port (or another route won it from every claimant)
     */
    public Route servicePortRoute(int port) {
        if (port < 1) {
            return null;
        }
        SlotIndex<PortOwner> index = portIndex;
        int mask = index.mask();
        for (int i = spread(port) & mask; ; i = (i + 1) & mask) {
            PortOwner owner = index.at(i);
            if (owner == null) {
                return null;
            }
            if (owner.port() == port) {
                return owner.route();
            }
        }
    }

    /** Every owned service port with its route, by port number. */
    public Map<Integer, Route> servicePorts() {
        return servicePorts;
    }

    public Route routeForApp(String appId) {
        if (appId == null) {
            return null;
        }
        SlotIndex<Route> index = appIndex;
        int mask = index.mask();
        for (int i = spread(appId.hashCode()) & mask; ; i = (i + 1) & mask) {
            Route r = index.at(i);
            if (r == null || r.appId().equals(appId)) {
                return r;
            }
        }
    }

    /**
     * The route for a raw {@code Host} header value ({@code Api.Example.com:8080.} style input is
     * fine) that answers for every path.
     *
     * @return the route, or null when no route has that host or the value is not a valid host
     */
    public Route lookup(CharSequence hostHeader) {
        HostEntry e = find(hostHeader);
        return e == null ? null : e.route();
    }

    /**
     * The route for a request: by its raw {@code Host} value, then, if that host has path routes, by
     * the longest path prefix that begins {@code target} (origin form), else the host's route for
     * every path.
     *
     * @return the route, or null when nothing routes this host and target
     */
    public Route lookup(CharSequence hostHeader, String target) {
        HostEntry e = find(hostHeader);
        return e == null ? null : pick(e.paths(), e.route(), target);
    }

    private static Route pick(PathRoutes byPath, Route anyPath, String target) {
        if (byPath != null) {
            Route r = byPath.match(target);
            if (r != null) {
                return r;
            }
        }
        return anyPath;
    }

    /** The slot of a raw host value, without allocating but for a non-ASCII host; null when none. */
    private HostEntry find(CharSequence hostHeader) {
        if (hostHeader == null) {
            return null;
        }
        int end = HostNames.hostEnd(hostHeader);
        if (end <= 0) {
            return null;
        }
        if (hostHeader.charAt(end - 1) == '.') {
            end--;
        }
        int h = 0;
        for (int i = 0; i < end; i++) {
            char c = hostHeader.charAt(i);
            if (c >= 0x80) {
                String canonical = HostNames.normalize(hostHeader);
                return canonical == null ? null : entry(canonical);
            }
            h = 31 * h + toLower(c);
        }
        return probe(spread(h), hostHeader, end);
    }

    /** The slot of a canonical host, or null. */
    HostEntry entry(String canonicalHost) {
        return probe(hash(canonicalHost, 0, canonicalHost.length()), canonicalHost, canonicalHost.length());
    }

    private HostEntry probe(int hash, CharSequence host, int end) {
        SlotIndex<HostEntry> index = hostIndex;
        int mask = index.mask();
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            HostEntry e = index.at(i);
            if (e == null) {
                return null;
            }
            String key = e.host();
            if (key.length() == end && matchesIgnoreCase(key, host, end)) {
                return e;
            }
        }
    }

    private static boolean matchesIgnoreCase(String key, CharSequence candidate, int len) {
        for (int i = 0; i < len; i++) {
            if (key.charAt(i) != toLower(candidate.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static char toLower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }

    static int hash(CharSequence s, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + toLower(s.charAt(i));
        }
        return spread(h);
    }

    static int spread(int h) {
        return h ^ (h >>> 16);
    }

    /** True when both tables route the same hosts (and paths) to the same backends. */
    public boolean sameContent(RouteTable other) {
        if (routes.size() != other.routes.size() || !byHost.keySet().equals(other.byHost.keySet())
                || !pathRoutes().equals(other.pathRoutes()) || !conflicts.equals(other.conflicts)
                || !ownersEqual(servicePorts, other.servicePorts)) {
            return false;
        }
        for (int i = 0; i < routes.size(); i++) {
            if (!routes.get(i).sameContent(other.routes.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean ownersEqual(Map<Integer, Route> a, Map<Integer, Route> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<Integer, Route> e : a.entrySet()) {
            if (!e.getValue().appId().equals(b.get(e.getKey()).appId())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "RouteTable{v" + version + ", " + hostCount() + " hosts, " + routes.size() + " apps}";
    }

    /** {@link #hosts()}: a read-only view of the host index. */
    private final class HostsView extends AbstractMap<String, Route> {
        @Override
        public Route get(Object key) {
            if (!(key instanceof String host)) {
                return null;
            }
            HostEntry e = entry(host);
            return e == null ? null : e.route();
        }

        @Override
        public boolean containsKey(Object key) {
            return get(key) != null;
        }

        @Override
        public int size() {
            return anyPathHosts;
        }

        @Override
        public Set<Entry<String, Route>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, Route>> iterator() {
                    List<Entry<String, Route>> all = new ArrayList<>(anyPathHosts);
                    hostIndex.forEach(e -> {
                        if (e.route() != null) {
                            all.add(new SimpleImmutableEntry<>(e.host(), e.route()));
                        }
                    });
                    return Collections.unmodifiableList(all).iterator();
                }

                @Override
                public int size() {
                    return anyPathHosts;
                }
            };
        }
    }

    /** {@link #servicePorts()}: a read-only view, by port number. */
    private final class PortsView extends AbstractMap<Integer, Route> {
        @Override
        public Route get(Object key) {
            return key instanceof Integer port ? servicePortRoute(port) : null;
        }

        @Override
        public boolean containsKey(Object key) {
            return get(key) != null;
        }

        @Override
        public int size() {
            return sortedPorts.size();
        }

        @Override
        public Set<Entry<Integer, Route>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<Integer, Route>> iterator() {
                    Iterator<PortOwner> it = sortedPorts.asList().iterator();
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Entry<Integer, Route> next() {
                            PortOwner o = it.next();
                            return new SimpleImmutableEntry<>(o.port(), o.route());
                        }
                    };
                }

                @Override
                public int size() {
                    return sortedPorts.size();
                }
            };
        }
    }
}
