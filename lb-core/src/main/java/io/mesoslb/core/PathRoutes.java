package io.mesoslb.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The routes of one host that answer only under path prefixes (HAProxy's {@code path_beg}): the
 * longest prefix that begins the request target wins. Immutable;
 * matching allocates nothing.
 */
final class PathRoutes {
    private final String[] prefixes;
    private final Route[] routes;

    /** @param byPrefix prefix to route; at most one route per prefix */
    PathRoutes(Map<String, Route> byPrefix) {
        List<Map.Entry<String, Route>> entries = new ArrayList<>(byPrefix.entrySet());
        // Longest first, so the first match is the most specific; then by text, for a stable order.
        entries.sort((a, b) -> a.getKey().length() != b.getKey().length()
                ? Integer.compare(b.getKey().length(), a.getKey().length()) : a.getKey().compareTo(b.getKey()));
        this.prefixes = new String[entries.size()];
        this.routes = new Route[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            prefixes[i] = entries.get(i).getKey();
            routes[i] = entries.get(i).getValue();
        }
    }

    /** The route of the longest prefix that {@code target} (a request target in origin form) starts with, or null. */
    Route match(String target) {
        for (int i = 0; i < prefixes.length; i++) {
            String prefix = prefixes[i];
            if (routes[i].options().pathIgnoreCase()
                    ? target.regionMatches(true, 0, prefix, 0, prefix.length()) : target.startsWith(prefix)) {
                return routes[i];
            }
        }
        return null;
    }

    /** Whether these are exactly {@code byPrefix}, each prefix to the same route object. */
    boolean sameRoutes(Map<String, Route> byPrefix) {
        if (byPrefix.size() != prefixes.length) {
            return false;
        }
        for (int i = 0; i < prefixes.length; i++) {
            if (byPrefix.get(prefixes[i]) != routes[i]) {
                return false;
            }
        }
        return true;
    }

    /** Prefix to app id, longest prefix first: what {@link RouteTable#sameContent} and the admin pages compare. */
    Map<String, String> appsByPrefix() {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < prefixes.length; i++) {
            m.put(prefixes[i], routes[i].appId());
        }
        return Collections.unmodifiableMap(m);
    }
}
