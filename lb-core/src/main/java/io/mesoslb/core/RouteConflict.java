package io.mesoslb.core;

import java.util.List;

/**
 * A host (or host and path prefix) that more than one app claims, and who got it. Kept in the
 * table so operators see in {@code /routes} why an app gets no traffic on a name it asked for.
 *
 * @param host   the canonical host
 * @param path   the path prefix, or empty when the claim is for every path
 * @param winner the app id that serves it
 * @param losers the other claimants' app ids, best ranked first
 */
public record RouteConflict(String host, String path, String winner, List<String> losers) {
    public RouteConflict {
        path = path == null ? "" : path;
        losers = List.copyOf(losers);
    }

    /** {@code host} or {@code host/prefix}: how logs and the admin API name the claim. */
    public String where() {
        return host + path;
    }
}
