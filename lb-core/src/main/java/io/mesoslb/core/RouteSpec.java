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
 * @param servicePort the port every balancer also serves it on, whatever the Host; null for none
 * @param hostRouted  whether it answers by {@code Host} at all: false for a port reachable only on its
 *                    service port (no host is derived for it either)
 */
public record RouteSpec(List<String> vhosts, List<String> paths, RouteOptions options, Set<String> groups,
                        int weight, ServicePort servicePort, boolean hostRouted) {
    /** A derived host name, every path, no switches, no group. */
    public static final RouteSpec DEFAULT = new RouteSpec(List.of(), List.of(), RouteOptions.NONE, Set.of(), 0);

    /** Routed by host, without a service port. */
    public RouteSpec(List<String> vhosts, List<String> paths, RouteOptions options, Set<String> groups, int weight) {
        this(vhosts, paths, options, groups, weight, null, true);
    }

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
        return new RouteSpec(hosts, paths, options, groups, weight, servicePort, hostRouted);
    }

    public RouteSpec withPaths(List<String> prefixes) {
        return new RouteSpec(vhosts, prefixes, options, groups, weight, servicePort, hostRouted);
    }

    public RouteSpec withOptions(RouteOptions o) {
        return new RouteSpec(vhosts, paths, o, groups, weight, servicePort, hostRouted);
    }

    public RouteSpec withGroups(Set<String> g) {
        return new RouteSpec(vhosts, paths, options, g, weight, servicePort, hostRouted);
    }

    public RouteSpec withWeight(int w) {
        return new RouteSpec(vhosts, paths, options, groups, w, servicePort, hostRouted);
    }

    /** The same route, also served on {@code port} (null: on no service port). */
    public RouteSpec withServicePort(ServicePort port) {
        return new RouteSpec(vhosts, paths, options, groups, weight, port, hostRouted);
    }

    /** The same route reachable only on its service port: no host, not even a derived one, leads to it. */
    public RouteSpec withoutHostRoute() {
        return new RouteSpec(vhosts, paths, options, groups, weight, servicePort, false);
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
