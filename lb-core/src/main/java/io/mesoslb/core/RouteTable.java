package io.mesoslb.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

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

    private final long version;
    private final String[] keys;
    /** A host's route for every path, or null when it has only path routes. */
    private final Route[] values;
    /** A host's path routes, or null when it has none (the usual case: one array read more per lookup). */
    private final PathRoutes[] paths;
    private final int mask;
    private final List<Route> routes;
    private final Map<String, Route> byApp;
    private final Map<String, Route> byHost;
    private final Map<String, PathRoutes> byHostPaths;
    private final List<RouteConflict> conflicts;
    /** Service ports, open addressing over the port numbers (0: an empty slot), and their owners. */
    private final int[] portKeys;
    private final Route[] portValues;
    private final int portMask;
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
        this.version = version;
        this.servicePorts = Collections.unmodifiableMap(new TreeMap<>(servicePorts));
        int portCapacity = Integer.highestOneBit(Math.max(4, servicePorts.size() * 2 - 1)) << 1;
        this.portKeys = new int[portCapacity];
        this.portValues = new Route[portCapacity];
        this.portMask = portCapacity - 1;
        servicePorts.forEach((port, route) -> {
            int i = spread(port) & portMask;
            while (portKeys[i] != 0) {
                i = (i + 1) & portMask;
            }
            portKeys[i] = port;
            portValues[i] = route;
        });
        this.conflicts = List.copyOf(conflicts);
        Set<String> hosts = new LinkedHashSet<>(byHost.keySet());
        hosts.addAll(byHostPaths.keySet());
        int capacity = Integer.highestOneBit(Math.max(4, hosts.size() * 2 - 1)) << 1;
        this.keys = new String[capacity];
        this.values = new Route[capacity];
        this.paths = new PathRoutes[capacity];
        this.mask = capacity - 1;
        for (String host : hosts) {
            int i = hash(host, 0, host.length()) & mask;
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
            keys[i] = host;
            values[i] = byHost.get(host);
            paths[i] = byHostPaths.get(host);
        }
        this.byHostPaths = Collections.unmodifiableMap(new LinkedHashMap<>(byHostPaths));
        this.routes = List.copyOf(routes);
        Map<String, Route> apps = new LinkedHashMap<>();
        for (Route r : routes) {
            apps.put(r.appId(), r);
        }
        this.byApp = Collections.unmodifiableMap(apps);
        this.byHost = Collections.unmodifiableMap(new LinkedHashMap<>(byHost));
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
        Map<String, Map<String, String>> m = new LinkedHashMap<>();
        byHostPaths.forEach((host, p) -> m.put(host, p.appsByPrefix()));
        return m;
    }

    /** The hosts (and host and path prefixes) that several apps claim, with who serves each. */
    public List<RouteConflict> conflicts() {
        return conflicts;
    }

    /** How many hosts have any route. */
    public int hostCount() {
        int n = byHost.size();
        for (String host : byHostPaths.keySet()) {
            if (!byHost.containsKey(host)) {
                n++;
            }
        }
        return n;
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
        for (int i = spread(port) & portMask; ; i = (i + 1) & portMask) {
            int key = portKeys[i];
            if (key == port) {
                return portValues[i];
            }
            if (key == 0) {
                return null;
            }
        }
    }

    /** Every owned service port with its route, by port number. */
    public Map<Integer, Route> servicePorts() {
        return servicePorts;
    }

    public Route routeForApp(String appId) {
        return byApp.get(appId);
    }

    /**
     * The route for a raw {@code Host} header value ({@code Api.Example.com:8080.} style input is
     * fine) that answers for every path.
     *
     * @return the route, or null when no route has that host or the value is not a valid host
     */
    public Route lookup(CharSequence hostHeader) {
        int i = indexOf(hostHeader);
        if (i == SLOW) {
            String canonical = HostNames.normalize(hostHeader);
            return canonical == null ? null : byHost.get(canonical);
        }
        return i < 0 ? null : values[i];
    }

    /**
     * The route for a request: by its raw {@code Host} value, then, if that host has path routes, by
     * the longest path prefix that begins {@code target} (origin form), else the host's route for
     * every path.
     *
     * @return the route, or null when nothing routes this host and target
     */
    public Route lookup(CharSequence hostHeader, String target) {
        int i = indexOf(hostHeader);
        if (i == SLOW) {
            String canonical = HostNames.normalize(hostHeader);
            return canonical == null ? null : pick(byHostPaths.get(canonical), byHost.get(canonical), target);
        }
        return i < 0 ? null : pick(paths[i], values[i], target);
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

    private static final int MISSING = -1;
    private static final int SLOW = -2;

    /** The slot of a raw host value without allocating; MISSING, or SLOW for a non-ASCII host. */
    private int indexOf(CharSequence hostHeader) {
        if (hostHeader == null) {
            return MISSING;
        }
        int end = HostNames.hostEnd(hostHeader);
        if (end <= 0) {
            return MISSING;
        }
        if (hostHeader.charAt(end - 1) == '.') {
            end--;
        }
        int h = 0;
        for (int i = 0; i < end; i++) {
            char c = hostHeader.charAt(i);
            if (c >= 0x80) {
                return SLOW;
            }
            h = 31 * h + toLower(c);
        }
        h = spread(h);
        for (int i = h & mask; ; i = (i + 1) & mask) {
            String key = keys[i];
            if (key == null) {
                return MISSING;
            }
            if (key.length() == end && matchesIgnoreCase(key, hostHeader, end)) {
                return i;
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

    private static int hash(CharSequence s, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + toLower(s.charAt(i));
        }
        return spread(h);
    }

    private static int spread(int h) {
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

    List<Route> routesCopy() {
        return new ArrayList<>(routes);
    }

    @Override
    public String toString() {
        return "RouteTable{v" + version + ", " + hostCount() + " hosts, " + routes.size() + " apps}";
    }
}
