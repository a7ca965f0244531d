package io.mesoslb.server.config;

import io.mesoslb.core.CidrList;
import io.mesoslb.server.observe.AccessLogRotation;
import io.mesoslb.server.tls.TlsCertificate;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The operational settings: health checks, draining, access log, client address, admin vhosts and
 * TLS. Validated.
 *
 * @param healthPath           path that answers like the admin {@code /health} on the proxy listener, for
 *                             any Host that is not a routed vhost
 * @param healthMaxStaleness   report unhealthy when discovery has been out of contact this long; zero is off
 * @param drainPeriod          on SIGTERM, how long health reports 503 while traffic is still served, before
 *                             the listeners close
 * @param accessLog            log one line per request on the {@code mesos-lb.access} logger
 * @param accessLogJson        one JSON object per line instead of the combined format
 * @param accessLogFile        the file the access log goes to, rotated; null: the {@code mesos-lb.access} logger
 * @param accessLogRotation    how that file rotates by size, and how much of it is kept
 * @param proxyProtocol        the listeners expect a PROXY protocol (v1 or v2) header on every connection
 * @param proxyProtocolTrusted peers whose PROXY header is believed; from others the peer is the client
 * @param trustedProxies       peers whose {@code X-Forwarded-For} is believed
 * @param adminAllow           clients allowed through the admin vhosts
 * @param mesosUrls            Mesos masters behind {@code mesos.admin.<domain>}
 * @param httpsPort            TLS listener port (0 ephemeral); used only with certificates
 * @param tlsCertificates      certificates for the TLS listener, the first one the default; empty: no TLS
 */
public record OpsSettings(String healthPath, Duration healthMaxStaleness, Duration drainPeriod, boolean accessLog,
                          boolean accessLogJson, Path accessLogFile, AccessLogRotation accessLogRotation,
                          boolean proxyProtocol, CidrList proxyProtocolTrusted, CidrList trustedProxies,
                          CidrList adminAllow, List<URI> mesosUrls, int httpsPort, List<TlsCertificate> tlsCertificates) {

    public boolean tls() {
        return !tlsCertificates.isEmpty();
    }
}
