package io.mesoslb.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who gets a host, or a host and path prefix, that several apps claim. Decided once per table
 * build, so the lookup stays one array read.
 *
 * <p>The rank, best first: an app that names the host explicitly, over one whose name was derived
 * from its id (a new app {@code /api} must not take {@code api.<domain>} from the app labelled
 * with it); then the higher weight, as marathon-lb orders its {@code use_backend} rules (a path
 * route with weight 0 counts as 1, as marathon-lb's {@code set_path} bumps it); then the app id.
 * The best-ranked claimant with backends wins: marathon-lb leaves a backend with no servers out
 * of its configuration, so a claimant with no routable task does not hide the next one. When none
 * has backends the best ranked keeps the claim, so the host still answers (503, not 404).
 */
final class HostClaims {
    /** One app's claim; {@code explicit} when the host came from the app's spec. */
    record Claim(Route route, boolean explicit, int weight) {
        /** A route's claim, its weight ranked as a path route's is (0 counts as 1). */
        static Claim of(Route route, boolean explicit, int weight) {
            return new Claim(route, explicit, !route.paths().isEmpty() && weight == 0 ? 1 : weight);
        }
    }

    private static final Comparator<Claim> RANK = Comparator.comparing((Claim c) -> !c.explicit())
            .thenComparing(Comparator.comparingInt((Claim c) -> c.weight()).reversed())
            .thenComparing(c -> c.route().appId());

    private final Map<String, List<Claim>> byHost = new LinkedHashMap<>();
    private final Map<String, Map<String, List<Claim>>> byHostPrefix = new LinkedHashMap<>();

    void add(Route route, boolean explicit, int weight) {
        Claim claim = Claim.of(route, explicit, weight);
        for (String host : route.vhosts()) {
            if (route.paths().isEmpty()) {
                byHost.computeIfAbsent(host, h -> new ArrayList<>(1)).add(claim);
                continue;
            }
            Map<String, List<Claim>> prefixes = byHostPrefix.computeIfAbsent(host, h -> new LinkedHashMap<>());
            for (String prefix : route.paths()) {
                prefixes.computeIfAbsent(prefix, p -> new ArrayList<>(1)).add(claim);
            }
        }
    }

    /** Host to its winner for every path; conflicts are added to {@code conflicts}. */
    Map<String, Route> hosts(List<RouteConflict> conflicts) {
        Map<String, Route> out = new LinkedHashMap<>();
        byHost.forEach((host, claims) -> out.put(host, decide(host, "", claims, conflicts)));
        return out;
    }

    /** Host to prefix to its winner; conflicts are added to {@code conflicts}. */
    Map<String, PathRoutes> paths(List<RouteConflict> conflicts) {
        Map<String, PathRoutes> out = new LinkedHashMap<>();
        byHostPrefix.forEach((host, prefixes) -> {
            Map<String, Route> winners = new LinkedHashMap<>();
            prefixes.forEach((prefix, claims) -> winners.put(prefix, decide(host, prefix, claims, conflicts)));
            out.put(host, new PathRoutes(winners));
        });
        return out;
    }

    /** The winner of one host (and path), sorting {@code claims}; a conflict is added when there are several. */
    static Route decide(String host, String path, List<Claim> claims, List<RouteConflict> conflicts) {
        if (claims.size() == 1) {
            return claims.get(0).route();
        }
        claims.sort(RANK);
        Claim winner = claims.get(0);
        for (Claim c : claims) {
            if (!c.route().isEmpty()) {
                winner = c;
                break;
            }
        }
        List<String> losers = new ArrayList<>(claims.size() - 1);
        for (Claim c : claims) {
            if (c != winner) {
                losers.add(c.route().appId());
            }
        }
        conflicts.add(new RouteConflict(host, path, winner.route().appId(), losers));
        return winner.route();
    }
}
