package io.mesoslb.core;

import java.util.List;

/**
 * A host (or host and path prefix), or a service port, that more than one app claims, and who got
 * it. Kept in the table so operators see in {@code /routes} why an app gets no traffic on a name or
 * port it asked for.
 *
 * @param host        the canonical host; for a service port, {@code service port <n>}
 * @param path        the path prefix, or empty when the claim is for every path (always for a port)
 * @param winner      the app id that serves it
 * @param losers      the other claimants' app ids, best ranked first
 * @param servicePort the service port claimed, or 0 when the claim is for a host
 */
public record RouteConflict(String host, String path, String winner, List<String> losers, int servicePort) {
    public RouteConflict {
        path = path == null ? "" : path;
        losers = List.copyOf(losers);
    }

    /** A claim for a host (and path prefix). */
    public RouteConflict(String host, String path, String winner, List<String> losers) {
        this(host, path, winner, losers, 0);
    }

    /** A claim for a service port. */
    public static RouteConflict forServicePort(int port, String winner, List<String> losers) {
        return new RouteConflict("service port " + port, "", winner, losers, port);
    }

    /** Whether the claim is for a service port rather than a host. */
    public boolean isServicePort() {
        return servicePort != 0;
    }

    /** {@code host} or {@code host/prefix}: how logs and the admin API name the claim. */
    public String where() {
        return host + path;
    }
}
