package io.mesoslb.server.config;

import io.mesoslb.core.AppGroups;
import io.mesoslb.core.OutlierPolicy;
import io.mesoslb.server.proxy.Http2ClientSettings;
import io.mesoslb.server.proxy.ProxySettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole configuration, validated. {@link ConfigLoader} reads it from the command line and a
 * YAML/JSON file; code (tests, benchmarks, the demo) builds it with {@link #builder()}. Keys, defaults
 * and checks belong to the sections of {@link Settings}.
 *
 * @param listenHost         proxy listen address
 * @param listenPort         proxy port; 0 binds an ephemeral port
 * @param appIdHost          the app-id listener's address (listen-host unless set apart)
 * @param appIdPort          port of the listener routing by {@code X-Marathon-App-Id} as marathon-lb's :9091;
 *                           0 binds an ephemeral port, -1 (the default) opens none
 * @param domain             base domain that app ids become vhosts under; null derives none
 * @param groups             which apps are routed, by their group label
 * @param strictMode         marathon-lb's --strict-mode: an app port is routed only when its ENABLED label says true
 * @param exposedByDefault   Traefik's exposedByDefault: an app with no routing labels but Traefik's (or none) is
 *                           routed unless traefik.enable is false; when false, only with traefik.enable=true
 * @param workerThreads      event loops serving connections
 * @param maxConnections     most client connections open at once; 0 derives it at start from the open-file
 *                           limit ({@link io.mesoslb.server.net.MaxConnections}), -1 for no limit
 * @param forceNio           use NIO even when epoll is available
 * @param proxy              data-plane timeouts and limits
 * @param routesFile         a routes file in Marathon's /v2/apps format, or null
 * @param routesPollInterval how often the routes file is checked for changes
 * @param marathonUrls       Marathon endpoints, tried in order, without the credentials they were written with
 * @param marathon           how to talk to Marathon (credentials, those from the URLs included; TLS trust,
 *                           stream timeouts)
 * @param adminHost          admin listen address
 * @param adminPort          admin port; 0 binds an ephemeral port, -1 disables the admin server
 * @param shutdownGrace      how long in-flight requests may take to finish on shutdown
 * @param outlier            passive health: when failing backends are ejected, and for how long
 * @param ops                health checks, draining, access log, client address, admin vhosts, TLS
 * @param servicePorts       the service ports: whether, where, which, and their drain
 * @param http2              HTTP/2 from clients: over TLS, h2c with prior knowledge, the per-connection limits
 */
public record ServerConfig(String listenHost, int listenPort, String appIdHost, int appIdPort, String domain, AppGroups groups, boolean strictMode,
                           boolean exposedByDefault, int workerThreads,
                           int maxConnections, boolean forceNio,
                           ProxySettings proxy, Path routesFile, Duration routesPollInterval, List<URI> marathonUrls,
                           MarathonOptions marathon, String adminHost, int adminPort, Duration shutdownGrace,
                           OutlierPolicy outlier, OpsSettings ops, ServicePortSettings servicePorts,
                           Http2ClientSettings http2) {

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Fluent, in-code settings: each setter writes the section that owns the key; {@link #build()}
     * validates everything at once and reports every problem, as a config file would.
     */
    public static final class Builder {
        private final Settings s = new Settings();

        public Builder listenHost(String v) {
            s.listener.listenHost = v;
            return this;
        }

        public Builder listenPort(Integer v) {
            s.listener.listenPort = v;
            return this;
        }

        public Builder appIdHost(String v) {
            s.listener.appIdHost = v;
            return this;
        }

        public Builder appIdPort(Integer v) {
            s.listener.appIdPort = v;
            return this;
        }

        public Builder workerThreads(Integer v) {
            s.listener.workerThreads = v;
            return this;
        }

        public Builder maxConnections(Integer v) {
            s.listener.maxConnections = v;
            return this;
        }

        public Builder forceNio(Boolean v) {
            s.listener.forceNio = v;
            return this;
        }

        public Builder servicePorts(Boolean v) {
            s.servicePorts.servicePorts = v;
            return this;
        }

        public Builder serviceBindHost(String v) {
            s.servicePorts.serviceBindHost = v;
            return this;
        }

        public Builder servicePortRange(String v) {
            s.servicePorts.servicePortRange = v;
            return this;
        }

        public Builder servicePortDrain(String v) {
            s.servicePorts.servicePortDrain = v;
            return this;
        }

        public Builder domain(String v) {
            s.routing.domain = v;
            return this;
        }

        public Builder defaultApp(String v) {
            s.routing.defaultApp = v;
            return this;
        }

        public Builder groups(List<String> v) {
            s.routing.groups = mutableCopy(v);
            return this;
        }

        public Builder strictMode(Boolean v) {
            s.routing.strictMode = v;
            return this;
        }

        public Builder exposedByDefault(Boolean v) {
            s.routing.exposedByDefault = v;
            return this;
        }

        public Builder connectTimeout(String v) {
            s.proxy.connectTimeout = v;
            return this;
        }

        public Builder responseTimeout(String v) {
            s.proxy.responseTimeout = v;
            return this;
        }

        public Builder clientIdleTimeout(String v) {
            s.proxy.clientIdleTimeout = v;
            return this;
        }

        public Builder backendIdleTimeout(String v) {
            s.proxy.backendIdleTimeout = v;
            return this;
        }

        public Builder maxIdlePerBackend(Integer v) {
            s.proxy.maxIdlePerBackend = v;
            return this;
        }

        public Builder maxInitialLineLength(Integer v) {
            s.proxy.maxInitialLineLength = v;
            return this;
        }

        public Builder maxHeaderSize(Integer v) {
            s.proxy.maxHeaderSize = v;
            return this;
        }

        public Builder connectRetries(Integer v) {
            s.proxy.connectRetries = v;
            return this;
        }

        public Builder writeBufferLow(Integer v) {
            s.proxy.writeBufferLow = v;
            return this;
        }

        public Builder writeBufferHigh(Integer v) {
            s.proxy.writeBufferHigh = v;
            return this;
        }

        public Builder requestHeaderTimeout(String v) {
            s.proxy.requestHeaderTimeout = v;
            return this;
        }

        public Builder requestTimeout(String v) {
            s.proxy.requestTimeout = v;
            return this;
        }

        public Builder maxRequestBody(Long v) {
            s.proxy.maxRequestBody = v;
            return this;
        }

        public Builder http2(Boolean v) {
            s.http2.http2 = v;
            return this;
        }

        public Builder h2cPriorKnowledge(Boolean v) {
            s.http2.h2cPriorKnowledge = v;
            return this;
        }

        public Builder http2MaxConcurrentStreams(Integer v) {
            s.http2.maxConcurrentStreams = v;
            return this;
        }

        public Builder http2InitialWindowSize(Integer v) {
            s.http2.initialWindowSize = v;
            return this;
        }

        public Builder routesFile(String v) {
            s.discovery.routesFile = v;
            return this;
        }

        public Builder routesPollInterval(String v) {
            s.discovery.routesPollInterval = v;
            return this;
        }

        public Builder marathonUrls(List<String> v) {
            s.discovery.marathonUrls = mutableCopy(v);
            return this;
        }

        public Builder marathonBasicAuth(String user, String password) {
            s.discovery.marathonUser = user;
            s.discovery.marathonPassword = password;
            return this;
        }

        public Builder marathonToken(String token, String style) {
            s.discovery.marathonToken = token;
            s.discovery.marathonTokenStyle = style;
            return this;
        }

        public Builder marathonTruststore(String path, String password, String type) {
            s.discovery.marathonTruststore = path;
            s.discovery.marathonTruststorePassword = password;
            s.discovery.marathonTruststoreType = type;
            return this;
        }

        public Builder marathonReadIdleTimeout(String v) {
            s.discovery.marathonReadIdleTimeout = v;
            return this;
        }

        public Builder marathonResyncInterval(String v) {
            s.discovery.marathonResyncInterval = v;
            return this;
        }

        public Builder outlierConsecutiveFailures(Integer v) {
            s.outlier.consecutiveFailures = v;
            return this;
        }

        public Builder outlierConsecutive5xx(Integer v) {
            s.outlier.consecutive5xx = v;
            return this;
        }

        public Builder outlierBaseEjectionTime(String v) {
            s.outlier.baseEjectionTime = v;
            return this;
        }

        public Builder outlierMaxEjectionTime(String v) {
            s.outlier.maxEjectionTime = v;
            return this;
        }

        public Builder outlierMaxEjectionPercent(Integer v) {
            s.outlier.maxEjectionPercent = v;
            return this;
        }

        public Builder healthPath(String v) {
            s.ops.healthPath = v;
            return this;
        }

        public Builder healthMaxStaleness(String v) {
            s.ops.healthMaxStaleness = v;
            return this;
        }

        public Builder drainPeriod(String v) {
            s.ops.drainPeriod = v;
            return this;
        }

        public Builder shutdownGrace(String v) {
            s.ops.shutdownGrace = v;
            return this;
        }

        public Builder accessLog(Boolean v) {
            s.ops.accessLog = v;
            return this;
        }

        public Builder accessLogFormat(String v) {
            s.ops.accessLogFormat = v;
            return this;
        }

        public Builder accessLogFile(String v) {
            s.ops.accessLogFile = v;
            return this;
        }

        public Builder accessLogMaxSize(String v) {
            s.ops.accessLogMaxSize = v;
            return this;
        }

        public Builder proxyProtocol(Boolean v) {
            s.ops.proxyProtocol = v;
            return this;
        }

        public Builder proxyProtocolTrusted(List<String> v) {
            s.ops.proxyProtocolTrusted = mutableCopy(v);
            return this;
        }

        public Builder trustedProxies(List<String> v) {
            s.ops.trustedProxies = mutableCopy(v);
            return this;
        }

        public Builder adminHost(String v) {
            s.ops.adminHost = v;
            return this;
        }

        public Builder adminPort(Integer v) {
            s.ops.adminPort = v;
            return this;
        }

        public Builder adminAllow(List<String> v) {
            s.ops.adminAllow = mutableCopy(v);
            return this;
        }

        public Builder mesosUrls(List<String> v) {
            s.ops.mesosUrls = mutableCopy(v);
            return this;
        }

        public Builder httpsPort(Integer v) {
            s.tls.httpsPort = v;
            return this;
        }

        /** Adds a certificate for the TLS listener; the first added is the default. */
        public Builder tlsCertificate(String cert, String key, List<String> hosts) {
            s.tls.tlsCertificates.add(new TlsCertificateEntry(cert, key, hosts));
            return this;
        }

        /** @throws ConfigException listing every invalid setting */
        public ServerConfig build() {
            ConfigProblems p = new ConfigProblems();
            ServerConfig config = s.validate(p);
            p.throwIfAny();
            return config;
        }

        private static List<String> mutableCopy(List<String> v) {
            return v == null ? new ArrayList<>() : new ArrayList<>(v);
        }
    }
}
