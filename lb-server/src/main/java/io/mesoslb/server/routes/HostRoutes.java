package io.mesoslb.server.routes;

import io.mesoslb.server.proxy.exchange.Verdict;

import io.mesoslb.server.proxy.ProxyStatus;

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
    public Route find(RouteTable table, HttpRequest req, String lookupHost) {
        return table.lookup(lookupHost, req.uri());
    }

    @Override
    public Route fallback(RouteTable table) {
        return defaultApp == null ? null : table.routeForApp(defaultApp);
    }

    @Override
    public Verdict refusal(HttpRequest req, String host, String lookupHost) {
        if (HostNames.normalize(lookupHost) == null) {
            // Not a host name at all (a folded line, a space, a stray byte): say so, and trust
            // nothing else on this connection.
            return Verdict.refuseAndClose(ProxyStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST,
                    "bad request: invalid Host " + host);
        }
        return Verdict.refuse(ProxyStatus.NO_ROUTE, HttpResponseStatus.NOT_FOUND, "no route for host " + host);
    }

    @Override
    public boolean redirectsToHttps() {
        return true;
    }
}
