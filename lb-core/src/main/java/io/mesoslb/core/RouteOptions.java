package io.mesoslb.core;

/**
 * Per-route switches, as discovery resolved them.
 *
 * @param httpsOnly plain-http requests are redirected to https
 * @param sticky    a client that was served by a backend keeps it, by cookie, while it is routed and
 *                  not ejected
 */
public record RouteOptions(boolean httpsOnly, boolean sticky) {
    public static final RouteOptions NONE = new RouteOptions(false, false);

    public static RouteOptions of(boolean httpsOnly, boolean sticky) {
        return httpsOnly || sticky ? new RouteOptions(httpsOnly, sticky) : NONE;
    }
}
