package io.mesoslb.server.proxy;

import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTable;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * How a listener picks a request's route: by Host (and path) on the proxy and https ports, by
 * marathon-lb's {@code X-Marathon-App-Id} on the app-id port. Chosen once per listener, so the
 * normal listener's hot path carries no test for the other kind. Only this package implements it.
 */
public abstract sealed class RouteFinder permits HostRoutes, AppIdRoutes {
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

    /**
     * The route for a request that passed the syntax checks, or null when this listener routes it
     * nowhere; called on the event loop for every request, so it must neither lock nor allocate.
     *
     * @param lookupHost the request's Host, decoded
     */
    abstract Route find(RouteTable table, HttpRequest req, String lookupHost);

    /**
     * A request {@link #find} has no route for and that is not the health check: a route to serve it
     * anyway, or null once it has been refused through {@code refusals}.
     *
     * @param host the Host header as sent
     */
    abstract Route unrouted(RouteTable table, HttpRequest req, String host, String lookupHost, Refusals refusals);

    /** Whether a route's {@code REDIRECT_TO_HTTPS} sends plain-http requests on this listener to https. */
    abstract boolean redirectsToHttps();

    /** Where a finder answers a request it cannot route. */
    interface Refusals {
        /**
         * Answers with an error.
         *
         * @param trustConnection false when nothing more on this connection is to be believed
         */
        void refuse(boolean trustConnection, ProxyStatus why, HttpResponseStatus code, String text);
    }
}
