package io.mesoslb.server.routes;

import io.mesoslb.server.proxy.exchange.Verdict;

import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTable;
import io.netty.handler.codec.http.HttpRequest;

/**
 * How a listener picks a request's route: by Host (and path) on the proxy and https ports, by
 * marathon-lb's {@code X-Marathon-App-Id} on the app-id port. Chosen once per listener, so the
 * normal listener's hot path carries no test for the other kind. Only this package implements it.
 */
public abstract sealed class RouteFinder permits HostRoutes, AppIdRoutes, ServicePortRoutes {
    RouteFinder() {
    }

    /** By Host and path; hosts no route claims go to {@code defaultApp} (null: none). */
    public static RouteFinder byHost(String defaultApp) {
        return new HostRoutes(defaultApp);
    }

    /** By the {@code X-Marathon-App-Id} header alone, as marathon-lb's :9091 frontend. */
    public static RouteFinder byAppId() {
        return AppIdRoutes.INSTANCE;
    }

    /** Every request to the app that owns service port {@code port}, whatever its Host. */
    public static RouteFinder byServicePort(int port) {
        return new ServicePortRoutes(port);
    }

    /**
     * The route for a request that passed the syntax checks, or null when this listener routes it
     * nowhere; called on the event loop for every request, so it must neither lock nor allocate.
     *
     * @param lookupHost the request's Host, decoded
     */
    public abstract Route find(RouteTable table, HttpRequest req, String lookupHost);

    /** The route for requests {@link #find} has none for (the default app), or null. */
    public abstract Route fallback(RouteTable table);

    /**
     * The answer to a request this listener routes nowhere and that is not the health check.
     *
     * @param host the Host header as sent
     */
    public abstract Verdict refusal(HttpRequest req, String host, String lookupHost);

    /** Whether a route's {@code REDIRECT_TO_HTTPS} sends plain-http requests on this listener to https. */
    public abstract boolean redirectsToHttps();
}
