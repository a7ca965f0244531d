package io.mesoslb.server.routes;

import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTable;
import io.mesoslb.server.proxy.ProxyStatus;
import io.mesoslb.server.proxy.exchange.Verdict;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * An http service port's routing: every request goes to the app that owns the port, whatever its
 * Host, as marathon-lb's per-service-port frontends do.
 */
final class ServicePortRoutes extends RouteFinder {
    private final int port;

    ServicePortRoutes(int port) {
        this.port = port;
    }

    @Override
    public Route find(RouteTable table, HttpRequest req, String lookupHost) {
        return table.servicePortRoute(port);
    }

    @Override
    public Route fallback(RouteTable table) {
        return null;
    }

    @Override
    public Verdict refusal(HttpRequest req, String host, String lookupHost) {
        // The port is closing: the app that owned it has just left the table.
        return Verdict.refuse(ProxyStatus.NO_ROUTE, HttpResponseStatus.SERVICE_UNAVAILABLE,
                "no app serves port " + port);
    }

    /**
     * No: marathon-lb redirects in its :80 frontend only; a service port's frontend passes the
     * request on whatever its scheme.
     */
    @Override
    public boolean redirectsToHttps() {
        return false;
    }
}
