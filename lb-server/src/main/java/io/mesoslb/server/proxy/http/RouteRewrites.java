package io.mesoslb.server.proxy.http;

import io.mesoslb.core.HostNames;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteOptions.Rewrites;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;

/**
 * marathon-lb's backend glue for a route: {@code HTTP_BACKEND_PROXYPASS_PATH} (a target prefix
 * replaced by {@code /}, Host set to the app's name), {@code HTTP_BACKEND_REVPROXY_PATH} (a path put
 * back in front of the backend's {@code Location}), {@code HTTP_BACKEND_REDIR} (the root sent
 * elsewhere) and {@code USE_HSTS}. Routes without any (nearly all) cost one field read.
 */
public final class RouteRewrites {
    private static final AsciiString STRICT_TRANSPORT_SECURITY = AsciiString.cached("strict-transport-security");
    /** marathon-lb's BACKEND_HSTS_OPTIONS: six months. */
    private static final AsciiString HSTS_VALUE = AsciiString.cached("max-age=15768000");

    private RouteRewrites() {
    }

    /** Where a request for the root of the route's host goes instead, or null. */
    public static String rootRedirect(Route route, String target) {
        String to = route.options().rewrites().rootRedirect();
        if (to == null) {
            return null;
        }
        int query = target.indexOf('?');
        String path = query >= 0 ? target.substring(0, query) : target;
        return path.equals("/") ? to : null;
    }

    /**
     * The request as the backend is to see it: as marathon-lb's {@code reqirep "^([^ :]*)\ <prefix>/?(.*)"
     * "\1\ /\2"}, a target that begins with the prefix loses it (and one slash after it) for a
     * {@code /}, and the Host becomes the route's name.
     */
    public static void request(Route route, HttpRequest req) {
        String prefix = route.options().rewrites().stripPrefix();
        if (prefix == null) {
            return;
        }
        String uri = req.uri();
        if (uri.startsWith(prefix)) {
            int rest = prefix.length();
            if (rest < uri.length() && uri.charAt(rest) == '/') {
                rest++;
            }
            req.setUri("/" + uri.substring(rest));
        }
        if (!route.vhosts().isEmpty()) {
            req.headers().set(HttpHeaderNames.HOST, route.vhosts().get(0));
        }
    }

    /** The response head as the client is to see it. */
    public static void response(Route route, HttpHeaders headers) {
        Rewrites r = route.options().rewrites();
        if (!r.any()) {
            return;
        }
        if (r.hsts()) {
            headers.set(STRICT_TRANSPORT_SECURITY, HSTS_VALUE);
        }
        if (r.locationPrefix() != null) {
            String location = headers.get(HttpHeaderNames.LOCATION);
            if (location != null) {
                String rewritten = location(route, location, r.locationPrefix());
                if (rewritten != null) {
                    headers.set(HttpHeaderNames.LOCATION, rewritten);
                }
            }
        }
    }

    /**
     * {@code prefix} put before the path of a Location on the route's own host (or on no host, a
     * path): {@code http://www.example.com/login} becomes {@code http://www.example.com/app/login}.
     * marathon-lb's template matches {@code ^(https?://<host>(:port)?)?(/.*)} and writes the prefix
     * alone; its documented intent (and nginx's proxy_redirect) is this. Other Locations are kept.
     */
    public static String location(Route route, String location, String prefix) {
        int pathStart;
        if (location.startsWith("/")) {
            pathStart = 0;
        } else {
            int scheme = location.startsWith("http://") ? 7 : location.startsWith("https://") ? 8 : -1;
            if (scheme < 0) {
                return null;
            }
            int slash = location.indexOf('/', scheme);
            String authority = slash < 0 ? location.substring(scheme) : location.substring(scheme, slash);
            String host = HostNames.normalize(authority);
            if (slash < 0 || host == null || !route.vhosts().contains(host)) {
                return null;
            }
            pathStart = slash;
        }
        String base = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        return location.substring(0, pathStart) + base + location.substring(pathStart);
    }
}
