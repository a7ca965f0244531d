package io.mesoslb.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * How one app port is to be routed, resolved by discovery from whatever label language the app
 * speaks: the table knows hosts, paths and switches, never labels.
 *
 * @param vhosts  canonical host names it answers to; empty to have {@link VhostNaming} derive one from the app id
 * @param paths   path prefixes it answers under on those hosts; empty for every path
 * @param options per-route switches
 * @param groups  the balancer groups it belongs to (lower case); empty for none
 * @param weight  precedence when several apps claim one host (and path): higher wins, as marathon-lb's
 *                backend weight orders its {@code use_backend} rules; 0 by default
 */
public record RouteSpec(List<String> vhosts, List<String> paths, RouteOptions options, Set<String> groups,
                        int weight) {
    /** A derived host name, every path, no switches, no group. */
    public static final RouteSpec DEFAULT = new RouteSpec(List.of(), List.of(), RouteOptions.NONE, Set.of(), 0);

    public RouteSpec(List<String> vhosts, List<String> paths, RouteOptions options, Set<String> groups) {
        this(vhosts, paths, options, groups, 0);
    }

    public RouteSpec {
        vhosts = canonical(vhosts);
        paths = paths == null ? List.of() : List.copyOf(new LinkedHashSet<>(paths));
        options = options == null ? RouteOptions.NONE : options;
        groups = lowerCase(groups);
    }

    /** Explicit host names (canonicalised; invalid ones dropped: discovery has said why). */
    public static RouteSpec forHosts(String... hosts) {
        return DEFAULT.withVhosts(List.of(hosts));
    }

    public RouteSpec withVhosts(List<String> hosts) {
        return new RouteSpec(hosts, paths, options, groups, weight);
    }

    public RouteSpec withPaths(List<String> prefixes) {
        return new RouteSpec(vhosts, prefixes, options, groups, weight);
    }

    public RouteSpec withOptions(RouteOptions o) {
        return new RouteSpec(vhosts, paths, o, groups, weight);
    }

    public RouteSpec withGroups(Set<String> g) {
        return new RouteSpec(vhosts, paths, options, g, weight);
    }

    public RouteSpec withWeight(int w) {
        return new RouteSpec(vhosts, paths, options, groups, w);
    }

    private static List<String> canonical(List<String> hosts) {
        if (hosts == null || hosts.isEmpty()) {
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        for (String h : hosts) {
            String c = h == null ? null : HostNames.normalize(h.strip());
            if (c != null) {
                out.add(c);
            }
        }
        return List.copyOf(new ArrayList<>(out));
    }

    private static Set<String> lowerCase(Set<String> groups) {
        if (groups == null || groups.isEmpty()) {
            return Set.of();
        }
        Set<String> out = new TreeSet<>();
        for (String g : groups) {
            String name = g == null ? "" : g.strip().toLowerCase(Locale.ROOT);
            if (!name.isEmpty()) {
                out.add(name);
            }
        }
        return Set.copyOf(out);
    }
}
