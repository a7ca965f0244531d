package io.mesoslb.server.proxy;

import io.mesoslb.server.auth.BasicAuthGate;
import io.mesoslb.server.observe.AccessLog;
import io.mesoslb.server.observe.ProxyMetrics;
import io.mesoslb.server.routes.AdminVhosts;
import io.mesoslb.server.tls.SniContexts;
import io.mesoslb.server.transport.ClientAddressResolver;
import io.mesoslb.server.transport.ProxyProtocolHandler;

import io.mesoslb.core.Route;
import io.mesoslb.core.CidrList;
import java.net.InetAddress;

/**
 * What the data plane needs from the operations side: where to count and log exchanges, how to
 * answer the balancer's health check, who the client is, who may use the admin vhosts, and how the
 * listener speaks (PROXY protocol, TLS).
 *
 * @param metrics        the proxy's meters, or null for none
 * @param accessLog      the access log, or null when it is off
 * @param health         the health check answer, or null when the listener answers none
 * @param healthPath     the path answered with {@code health} for hosts no route claims
 * @param clients        resolves the client from the peer, PROXY header and trusted X-Forwarded-For
 * @param adminAllow     clients allowed on {@linkplain AdminVhosts admin vhosts}
 * @param proxyProtocol  reads the PROXY protocol header every connection starts with, or null when
 *                       connections start with HTTP
 * @param tls            the certificates of a TLS listener, or null for plain HTTP
 * @param auth           verifies basic-auth credentials for routes that require them, off the event
 *                       loops; null when none is set up, and then such routes answer 503 (fail closed)
 */
public record ProxyOps(ProxyMetrics metrics, AccessLog accessLog, HealthCheck health, String healthPath,
                       ClientAddressResolver clients, CidrList adminAllow, ProxyProtocolHandler proxyProtocol,
                       SniContexts tls, BasicAuthGate auth) {
    /** No metrics, no log, no health path, nobody trusted or allowed, plain HTTP. */
    public static final ProxyOps NONE = new ProxyOps(null, null, null, null, new ClientAddressResolver(CidrList.EMPTY),
            CidrList.EMPTY, null, null, null);

    /** The same, for a listener with these certificates. */
    public ProxyOps withTls(SniContexts contexts) {
        return new ProxyOps(metrics, accessLog, health, healthPath, clients, adminAllow, proxyProtocol, contexts, auth);
    }

    /** True when a request for {@code uri} to a host no route claims is the balancer's health check. */
    public boolean isHealthCheck(String uri) {
        return health != null && (isPath(uri, healthPath) || isPath(uri, MARATHON_LB_HEALTH_PATH));
    }

    /** marathon-lb's health check path, answered too so that an ELB check set up for marathon-lb keeps working. */
    public static final String MARATHON_LB_HEALTH_PATH = "/_haproxy_health_check";

    private static boolean isPath(String uri, String path) {
        if (!uri.startsWith(path)) {
            return false;
        }
        int n = path.length();
        return uri.length() == n || uri.charAt(n) == '?';
    }

    /**
     * True when {@code client} may not use {@code route}: an admin vhost outside {@code admin-allow},
     * or a route whose allowed networks do not include it. An unknown client (a malformed
     * X-Forwarded-For from a trusted proxy) is in no network.
     */
    public boolean forbids(Route route, InetAddress client) {
        if (AdminVhosts.isAdminApp(route.appId()) && !adminAllow.contains(client)) {
            return true;
        }
        CidrList allowed = route.options().allowFrom();
        return allowed != null && (client == null || !allowed.contains(client));
    }
}
