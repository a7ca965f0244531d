package io.mesoslb.server.proxy;

import io.mesoslb.core.HostNames;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTable;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/** The proxy and https ports' routing: by Host and path prefix, then the default app. */
final class HostRoutes extends RouteFinder {
    private final String defaultApp;

    HostRoutes(String defaultApp) {
        this.defaultApp = defaultApp;
    }

    @Override
    Route find(RouteTable table, HttpRequest req, String lookupHost) {
        return table.lookup(lookupHost, req.uri());
    }

    @Override
    Route unrouted(RouteTable table, HttpRequest req, String host, String lookupHost, Refusals refusals) {
        Route r = defaultApp == null ? null : table.routeForApp(defaultApp);
        if (r != null) {
            return r;
        }
        if (HostNames.normalize(lookupHost) == null) {
            // Not a host name at all (a folded line, a space, a stray byte): say so, and trust
            // nothing else on this connection.
            refusals.refuse(false, ProxyStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST,
                    "bad request: invalid Host " + host);
        } else {
            refusals.refuse(true, ProxyStatus.NO_ROUTE, HttpResponseStatus.NOT_FOUND, "no route for host " + host);
        }
        return null;
    }

    @Override
    boolean redirectsToHttps() {
        return true;
    }
}
