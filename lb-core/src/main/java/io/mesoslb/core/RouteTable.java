package io.mesoslb.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    private final Route[] values;
    private final int mask;
    private final List<Route> routes;
    private final Map<String, Route> byApp;
    private final Map<String, Route> byHost;

    RouteTable(long version, Map<String, Route> byHost, List<Route> routes) {
        this.version = version;
        int capacity = Integer.highestOneBit(Math.max(4, byHost.size() * 2 - 1)) << 1;
        this.keys = new String[capacity];
        this.values = new Route[capacity];
        this.mask = capacity - 1;
        for (Map.Entry<String, Route> e : byHost.entrySet()) {
            int i = hash(e.getKey(), 0, e.getKey().length()) & mask;
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
            keys[i] = e.getKey();
            values[i] = e.getValue();
        }
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

    /** Canonical host -> route. */
    public Map<String, Route> hosts() {
        return byHost;
    }

    public Route routeForApp(String appId) {
        return byApp.get(appId);
    }

    /**
     * The route for a raw {@code Host} header value ({@code Api.Example.com:8080.} style input is
     * fine).
     *
     * @return the route, or null when no route has that host or the value is not a valid host
     */
    public Route lookup(CharSequence hostHeader) {
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
                return lookupSlow(hostHeader);
            }
            h = 31 * h + toLower(c);
        }
        h = spread(h);
        for (int i = h & mask; ; i = (i + 1) & mask) {
            String key = keys[i];
            if (key == null) {
                return null;
            }
            if (key.length() == end && matchesIgnoreCase(key, hostHeader, end)) {
                return values[i];
            }
        }
    }

    private Route lookupSlow(CharSequence hostHeader) {
        String canonical = HostNames.normalize(hostHeader);
        return canonical == null ? null : byHost.get(canonical);
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

    /** True when both tables route the same hosts to the same backends. */
    public boolean sameContent(RouteTable other) {
        if (routes.size() != other.routes.size() || !byHost.keySet().equals(other.byHost.keySet())) {
            return false;
        }
        for (int i = 0; i < routes.size(); i++) {
            if (!routes.get(i).sameContent(other.routes.get(i))) {
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
        return "RouteTable{v" + version + ", " + byHost.size() + " hosts, " + routes.size() + " apps}";
    }
}
