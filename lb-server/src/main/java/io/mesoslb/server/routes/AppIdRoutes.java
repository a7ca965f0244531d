package io.mesoslb.server.routes;

import io.mesoslb.server.proxy.exchange.Verdict;

import io.mesoslb.server.proxy.ProxyStatus;

import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTable;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import java.util.Locale;

/**
 * marathon-lb's {@code marathon_http_appid_in} frontend (:9091): the {@code X-Marathon-App-Id}
 * header names the app, whatever the Host. It reaches an app's main port only, as marathon-lb's
 * reaches only an app's first HTTP port: {@code <app>#<n>} port routes and the admin vhosts are not
 * Marathon app ids, so naming them finds nothing.
 */
final class AppIdRoutes extends RouteFinder {
    static final AppIdRoutes INSTANCE = new AppIdRoutes();
    public static final AsciiString X_MARATHON_APP_ID = AsciiString.cached("x-marathon-app-id");

    private AppIdRoutes() {
    }

    @Override
    public Route find(RouteTable table, HttpRequest req, String lookupHost) {
        // The decoder's String: the lookup allocates nothing.
        String id = req.headers().get(X_MARATHON_APP_ID);
        if (id == null) {
            return null;
        }
        Route r = table.routeForApp(id);
        if (r == null && hasUpperCase(id)) {
            // marathon-lb matches the header case-insensitively (hdr(...) -i); Marathon ids are lower-case.
            r = table.routeForApp(id.toLowerCase(Locale.ROOT));
        }
        return r == null || !isMainPortOfMarathonApp(r.appId()) ? null : r;
    }

    @Override
    public Route fallback(RouteTable table) {
        return null;
    }

    @Override
    public Verdict refusal(HttpRequest req, String host, String lookupHost) {
        String id = req.headers().get(X_MARATHON_APP_ID);
        if (id == null || id.isEmpty()) {
            return Verdict.refuse(ProxyStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST,
                    "bad request: no X-Marathon-App-Id header (this port routes by Marathon app id, e.g. /team/api)");
        }
        return Verdict.refuse(ProxyStatus.NO_ROUTE, HttpResponseStatus.NOT_FOUND, "no route for app id " + id);
    }

    /**
     * No: the redirect would keep the request's Host, which on this port need not name the app,
     * and marathon-lb's app-id frontend does not redirect either (its redirects live in the :80
     * frontend).
     */
    @Override
    public boolean redirectsToHttps() {
        return false;
    }

    private static boolean isMainPortOfMarathonApp(String routeId) {
        return routeId.indexOf('#') < 0 && !AdminVhosts.isAdminApp(routeId);
    }

    private static boolean hasUpperCase(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return true;
            }
        }
        return false;
    }
}
