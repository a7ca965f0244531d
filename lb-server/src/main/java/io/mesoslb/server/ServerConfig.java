package io.mesoslb.server;

import io.mesoslb.server.discovery.MarathonOptions;
import io.mesoslb.server.proxy.ProxySettings;
import io.mesoslb.server.tls.TlsCertificate;
import io.mesoslb.server.transport.MaxConnections;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.mesoslb.core.AppGroups;
import io.mesoslb.core.OutlierPolicy;
import io.mesoslb.discovery.UrlCredentials;
import io.mesoslb.discovery.marathon.MarathonConfig;
import io.mesoslb.core.CidrList;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole configuration, validated. Built through {@link Builder}, which Jackson fills from a
 * YAML/JSON file (kebab-case keys, the same names as the command-line flags) and the command line
 * then overrides; see {@link ConfigLoader}.
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
 *                           limit ({@link io.mesoslb.server.transport.MaxConnections}), -1 for no limit
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
 */
public record ServerConfig(String listenHost, int listenPort, String appIdHost, int appIdPort, String domain, AppGroups groups, boolean strictMode,
                           boolean exposedByDefault, int workerThreads,
                           int maxConnections, boolean forceNio,
                           ProxySettings proxy, Path routesFile, Duration routesPollInterval, List<URI> marathonUrls,
                           MarathonOptions marathon, String adminHost, int adminPort, Duration shutdownGrace,
                           OutlierPolicy outlier, OpsSettings ops) {

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Mutable, string-typed staging area for the configuration: what a file or flag says, before it
     * is checked. {@link #build()} validates everything at once and reports every problem.
     */
    @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
            isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
    public static final class Builder {
        private String listenHost = "0.0.0.0";
        private Integer listenPort = 8080;
        private String appIdHost;
        // Off: it routes to every app by id, vhost or not, which a cluster may want kept internal.
        private Integer appIdPort = -1;
        private String domain;
        private List<String> groups = new ArrayList<>();
        private Boolean strictMode = false;
        private Boolean exposedByDefault = true;
        private Integer workerThreads = Runtime.getRuntime().availableProcessors();
        private Integer maxConnections = 0;
        private Boolean forceNio = false;
        private String connectTimeout = "5s";
        private String responseTimeout = "60s";
        private String clientIdleTimeout = "120s";
        private String backendIdleTimeout = "60s";
        private Integer maxIdlePerBackend = 32;
        private Integer maxInitialLineLength = 8192;
        private Integer maxHeaderSize = 16384;
        private String defaultApp;
        private Integer connectRetries = 1;
        // Room for a 64 KiB read and the next one while the peer drains; with 32/64 KiB a 64 KiB
        // response stalled reads every time (benchmarks/load/README.md, "Write buffer").
        private Integer writeBufferLow = 128 * 1024;
        private Integer writeBufferHigh = 256 * 1024;
        private String routesFile;
        private String routesPollInterval = "2s";
        private List<String> marathonUrls = new ArrayList<>();
        // Marathon discovery (demo helper): credentials, trust, stream timing.
        private String marathonUser;
        private String marathonPassword;
        private String marathonToken;
        private String marathonTokenStyle = "dcos";
        private String marathonTruststore;
        private String marathonTruststorePassword;
        private String marathonTruststoreType = "PKCS12";
        private String marathonReadIdleTimeout = "30s";
        private String marathonResyncInterval = "5m";
        private String adminHost = "127.0.0.1";
        private Integer adminPort = 9090;
        private String shutdownGrace = "10s";
        // resilience: passive health, client timeouts, request limits
        private Integer outlierConsecutiveFailures = OutlierPolicy.DEFAULT.consecutiveFailures();
        @JsonProperty("outlier-consecutive-5xx") // the naming strategy would make it "consecutive5xx"
        private Integer outlierConsecutive5xx = OutlierPolicy.DEFAULT.consecutive5xx();
        private String outlierBaseEjectionTime = "30s";
        private String outlierMaxEjectionTime = "300s";
        private Integer outlierMaxEjectionPercent = OutlierPolicy.DEFAULT.maxEjectionPercent();
        private String requestHeaderTimeout = "10s";
        private String requestTimeout = "0s";
        private Long maxRequestBody = 0L;
        // ops: health checks, draining, access log, client address, admin vhosts, TLS
        private String healthPath = "/_health";
        private String healthMaxStaleness = "0s";
        private String drainPeriod = "30s";
        private Boolean accessLog = true;
        private Boolean proxyProtocol = false;
        private List<String> proxyProtocolTrusted = new ArrayList<>();
        private List<String> trustedProxies = new ArrayList<>();
        private List<String> adminAllow = new ArrayList<>();
        private List<String> mesosUrls = new ArrayList<>();
        private Integer httpsPort = 8443;
        private List<TlsCertificateEntry> tlsCertificates = new ArrayList<>();

        public Builder listenHost(String v) {
            listenHost = v;
            return this;
        }

        public Builder listenPort(Integer v) {
            listenPort = v;
            return this;
        }

        public Builder appIdHost(String v) {
            appIdHost = v;
            return this;
        }

        public Builder appIdPort(Integer v) {
            appIdPort = v;
            return this;
        }

        public Builder domain(String v) {
            domain = v;
            return this;
        }

        public Builder exposedByDefault(Boolean v) {
            exposedByDefault = v;
            return this;
        }

        public Builder strictMode(Boolean v) {
            strictMode = v;
            return this;
        }

        public Builder groups(List<String> v) {
            groups = mutableCopy(v);
            return this;
        }

        public Builder workerThreads(Integer v) {
            workerThreads = v;
            return this;
        }

        public Builder maxConnections(Integer v) {
            maxConnections = v;
            return this;
        }

        public Builder forceNio(Boolean v) {
            forceNio = v;
            return this;
        }

        public Builder connectTimeout(String v) {
            connectTimeout = v;
            return this;
        }

        public Builder responseTimeout(String v) {
            responseTimeout = v;
            return this;
        }

        public Builder clientIdleTimeout(String v) {
            clientIdleTimeout = v;
            return this;
        }

        public Builder backendIdleTimeout(String v) {
            backendIdleTimeout = v;
            return this;
        }

        public Builder maxIdlePerBackend(Integer v) {
            maxIdlePerBackend = v;
            return this;
        }

        public Builder maxInitialLineLength(Integer v) {
            maxInitialLineLength = v;
            return this;
        }

        public Builder maxHeaderSize(Integer v) {
            maxHeaderSize = v;
            return this;
        }

        public Builder defaultApp(String v) {
            defaultApp = v;
            return this;
        }

        public Builder connectRetries(Integer v) {
            connectRetries = v;
            return this;
        }

        public Builder writeBufferLow(Integer v) {
            writeBufferLow = v;
            return this;
        }

        public Builder writeBufferHigh(Integer v) {
            writeBufferHigh = v;
            return this;
        }

        public Builder routesFile(String v) {
            routesFile = v;
            return this;
        }

        public Builder routesPollInterval(String v) {
            routesPollInterval = v;
            return this;
        }

        public Builder marathonUrls(List<String> v) {
            marathonUrls = mutableCopy(v);
            return this;
        }

        public Builder marathonBasicAuth(String user, String password) {
            marathonUser = user;
            marathonPassword = password;
            return this;
        }

        public Builder marathonToken(String token, String style) {
            marathonToken = token;
            marathonTokenStyle = style;
            return this;
        }

        public Builder marathonTruststore(String path, String password, String type) {
            marathonTruststore = path;
            marathonTruststorePassword = password;
            marathonTruststoreType = type;
            return this;
        }

        public Builder marathonReadIdleTimeout(String v) {
            marathonReadIdleTimeout = v;
            return this;
        }

        public Builder marathonResyncInterval(String v) {
            marathonResyncInterval = v;
            return this;
        }

        public Builder adminHost(String v) {
            adminHost = v;
            return this;
        }

        public Builder adminPort(Integer v) {
            adminPort = v;
            return this;
        }

        public Builder shutdownGrace(String v) {
            shutdownGrace = v;
            return this;
        }

        // resilience: passive health, client timeouts, request limits

        public Builder outlierConsecutiveFailures(Integer v) {
            outlierConsecutiveFailures = v;
            return this;
        }

        public Builder outlierConsecutive5xx(Integer v) {
            outlierConsecutive5xx = v;
            return this;
        }

        public Builder outlierBaseEjectionTime(String v) {
            outlierBaseEjectionTime = v;
            return this;
        }

        public Builder outlierMaxEjectionTime(String v) {
            outlierMaxEjectionTime = v;
            return this;
        }

        public Builder outlierMaxEjectionPercent(Integer v) {
            outlierMaxEjectionPercent = v;
            return this;
        }

        public Builder requestHeaderTimeout(String v) {
            requestHeaderTimeout = v;
            return this;
        }

        public Builder requestTimeout(String v) {
            requestTimeout = v;
            return this;
        }

        public Builder maxRequestBody(Long v) {
            maxRequestBody = v;
            return this;
        }

        // ops

        public Builder healthPath(String v) {
            healthPath = v;
            return this;
        }

        public Builder healthMaxStaleness(String v) {
            healthMaxStaleness = v;
            return this;
        }

        public Builder drainPeriod(String v) {
            drainPeriod = v;
            return this;
        }

        public Builder accessLog(Boolean v) {
            accessLog = v;
            return this;
        }

        public Builder proxyProtocol(Boolean v) {
            proxyProtocol = v;
            return this;
        }

        public Builder proxyProtocolTrusted(List<String> v) {
            proxyProtocolTrusted = mutableCopy(v);
            return this;
        }

        public Builder trustedProxies(List<String> v) {
            trustedProxies = mutableCopy(v);
            return this;
        }

        public Builder adminAllow(List<String> v) {
            adminAllow = mutableCopy(v);
            return this;
        }

        public Builder mesosUrls(List<String> v) {
            mesosUrls = mutableCopy(v);
            return this;
        }

        public Builder httpsPort(Integer v) {
            httpsPort = v;
            return this;
        }

        /** Adds a certificate for the TLS listener; the first added is the default. */
        public Builder tlsCertificate(String cert, String key, List<String> hosts) {
            tlsCertificates.add(new TlsCertificateEntry(cert, key, hosts));
            return this;
        }

        /** @throws ConfigException listing every invalid setting */
        public ServerConfig build() {
            ConfigProblems p = new ConfigProblems();
            String host = p.nonBlank("listen-host", listenHost);
            int port = p.range("listen-port", listenPort, 0, 65_535);
            String idHost = appIdHost == null || appIdHost.isBlank() ? host : appIdHost.strip();
            int idPort = p.range("app-id-port", appIdPort, -1, 65_535);
            if (idPort > 0 && idPort == port && idHost != null && idHost.equals(host)) {
                p.add("app-id-port must differ from listen-port (both " + port + ")");
            }
            int workers = p.range("worker-threads", workerThreads, 1, 4096);
            int maxConns = p.range("max-connections", maxConnections, -1, MaxConnections.CEILING);
            Duration connect = p.duration("connect-timeout", connectTimeout, false);
            Duration response = p.duration("response-timeout", responseTimeout, false);
            Duration clientIdle = p.duration("client-idle-timeout", clientIdleTimeout, false);
            Duration backendIdle = p.duration("backend-idle-timeout", backendIdleTimeout, false);
            int maxIdle = p.range("max-idle-per-backend", maxIdlePerBackend, 0, 100_000);
            int maxLine = p.range("max-initial-line-length", maxInitialLineLength, 256, 1 << 20);
            int maxHeader = p.range("max-header-size", maxHeaderSize, 1024, 1 << 20);
            int retries = p.range("connect-retries", connectRetries, 0, 10);
            int low = p.range("write-buffer-low", writeBufferLow, 1024, 64 << 20);
            int high = p.range("write-buffer-high", writeBufferHigh, 1024, 64 << 20);
            if (low > high) {
                p.add("write-buffer-low (" + low + ") must not exceed write-buffer-high (" + high + ")");
            }
            String app = defaultApp == null || defaultApp.isBlank() ? null : defaultApp.strip();
            if (app != null && !app.startsWith("/")) {
                p.add("default-app must be a Marathon app id starting with '/', got '" + app + "'");
            }
            Path routes = routesFile == null || routesFile.isBlank() ? null : Path.of(routesFile.strip());
            Duration poll = p.duration("routes-poll-interval", routesPollInterval, false);
            List<URI> marathon = new ArrayList<>();
            for (String url : marathonUrls) {
                URI uri = p.httpUrl("marathon-urls", url);
                if (uri != null) {
                    marathon.add(uri);
                }
            }
            UrlCredentials inUrls = null;
            try {
                inUrls = UrlCredentials.common(marathon);
            } catch (IllegalArgumentException e) {
                p.add("marathon-urls: " + e.getMessage());
            }
            // Only the stripped URLs go on: they are logged, shown in /routes and proxied to.
            marathon.replaceAll(UrlCredentials::strip);
            MarathonOptions marathonOptions = marathonOptions(p, inUrls);
            String admin = p.nonBlank("admin-host", adminHost);
            int adminP = p.range("admin-port", adminPort, -1, 65_535);
            Duration grace = p.duration("shutdown-grace", shutdownGrace, true);
            boolean nio = forceNio != null && forceNio;
            // resilience: passive health, client timeouts, request limits
            OutlierPolicy outlier = outlierPolicy(p);
            Duration headerTimeout = p.duration("request-header-timeout", requestHeaderTimeout, true);
            Duration total = p.duration("request-timeout", requestTimeout, true);
            long maxBody = maxRequestBody == null ? 0 : maxRequestBody;
            if (maxBody < 0) {
                p.add("max-request-body must be 0 (no limit) or more, got " + maxBody);
            }
            OpsSettings ops = ops(p);
            p.throwIfAny();
            ProxySettings proxy = new ProxySettings(connect, response, clientIdle, backendIdle, maxIdle, maxLine,
                    maxHeader, app, retries, low, high, headerTimeout, total, maxBody);
            return new ServerConfig(host, port, idHost, idPort,
                    domain == null || domain.isBlank() ? null : domain.strip(),
                    AppGroups.of(groups), strictMode != null && strictMode, exposedByDefault == null || exposedByDefault,
                    workers, maxConns,
                    nio, proxy, routes, poll, List.copyOf(marathon), marathonOptions, admin, adminP, grace,
                    outlier, ops);
        }

        private OutlierPolicy outlierPolicy(ConfigProblems p) {
            int failures = p.range("outlier-consecutive-failures", outlierConsecutiveFailures, 0, 1_000_000);
            int failures5xx = p.range("outlier-consecutive-5xx", outlierConsecutive5xx, 0, 1_000_000);
            Duration base = p.duration("outlier-base-ejection-time", outlierBaseEjectionTime, false);
            Duration max = p.duration("outlier-max-ejection-time", outlierMaxEjectionTime, false);
            int percent = p.range("outlier-max-ejection-percent", outlierMaxEjectionPercent, 0, 100);
            if (max.compareTo(base) < 0) {
                p.add("outlier-max-ejection-time (" + outlierMaxEjectionTime + ") must not be shorter than "
                        + "outlier-base-ejection-time (" + outlierBaseEjectionTime + ")");
            }
            try {
                return OutlierPolicy.DEFAULT.withConsecutiveFailures(failures).withConsecutive5xx(failures5xx)
                        .withEjectionTime(base, max).withMaxEjectionPercent(percent);
            } catch (IllegalArgumentException e) {
                // Already reported above, setting by setting.
                return OutlierPolicy.DEFAULT;
            }
        }

        /** @param inUrls the credentials written into marathon-urls, or null */
        private MarathonOptions marathonOptions(ConfigProblems p, UrlCredentials inUrls) {
            String user = blankToNull(marathonUser);
            String password = marathonPassword == null || marathonPassword.isEmpty() ? null : marathonPassword;
            String token = blankToNull(marathonToken);
            if ((user == null) != (password == null)) {
                p.add("marathon-user and marathon-password go together");
            }
            if (user != null && token != null) {
                p.add("use marathon-user/marathon-password or marathon-token, not both");
            }
            if (inUrls != null && token != null) {
                p.add("marathon-urls carry credentials and marathon-token is set: use one");
            } else if (inUrls != null && user != null && password != null && !inUrls.matches(user, password)) {
                p.add("the credentials in marathon-urls differ from marathon-user/marathon-password: set them in one place");
            }
            if (inUrls != null) {
                user = inUrls.user();
                password = inUrls.password();
            }
            MarathonConfig.TokenScheme style = null;
            String styleName = marathonTokenStyle == null ? "" : marathonTokenStyle.strip();
            for (MarathonConfig.TokenScheme s : MarathonConfig.TokenScheme.values()) {
                if (s.name().equalsIgnoreCase(styleName)) {
                    style = s;
                }
            }
            if (style == null) {
                p.add("marathon-token-style must be dcos or bearer, got '" + marathonTokenStyle + "'");
            }
            String truststore = blankToNull(marathonTruststore);
            String storeType = blankToNull(marathonTruststoreType);
            Duration readIdle = p.duration("marathon-read-idle-timeout", marathonReadIdleTimeout, false);
            Duration resync = p.duration("marathon-resync-interval", marathonResyncInterval, false);
            return new MarathonOptions(user, password, token, style, truststore == null ? null : Path.of(truststore),
                    marathonTruststorePassword, storeType == null ? "PKCS12" : storeType, readIdle, resync);
        }

        private static List<String> mutableCopy(List<String> v) {
            return v == null ? new ArrayList<>() : new ArrayList<>(v);
        }

        private static String blankToNull(String v) {
            return v == null || v.isBlank() ? null : v.strip();
        }

        private OpsSettings ops(ConfigProblems p) {
            String health = p.nonBlank("health-path", healthPath);
            if (health != null && !health.startsWith("/")) {
                p.add("health-path must start with '/', got '" + health + "'");
            }
            Duration staleness = p.duration("health-max-staleness", healthMaxStaleness, true);
            Duration drain = p.duration("drain-period", drainPeriod, true);
            boolean proxyHeaders = proxyProtocol != null && proxyProtocol;
            CidrList proxyHeaderSources = p.cidrs("proxy-protocol-trusted", proxyProtocolTrusted);
            if (proxyHeaders && proxyHeaderSources.isEmpty()) {
                // Fail closed: believing every peer's PROXY header lets anyone who reaches the port claim any address.
                p.add("proxy-protocol-trusted must be set when proxy-protocol is true: the networks of the balancer"
                        + " that sends PROXY headers (its subnets); 0.0.0.0/0,::/0 believes every peer");
            }
            CidrList trusted = p.cidrs("trusted-proxies", trustedProxies);
            CidrList allow = p.cidrs("admin-allow", adminAllow);
            List<URI> mesos = new ArrayList<>();
            for (String url : mesosUrls) {
                URI uri = p.httpUrl("mesos-urls", url);
                if (uri != null && !"http".equals(uri.getScheme())) {
                    p.add("mesos-urls: '" + UrlCredentials.strip(uri) + "' must be http (the proxy does not speak TLS to backends)");
                } else if (uri != null && uri.getRawUserInfo() != null) {
                    // Nothing would send them: mesos.admin.<domain> passes on the client's own Authorization.
                    p.add("mesos-urls: '" + UrlCredentials.strip(uri) + "' must not carry credentials (user:password@)");
                } else if (uri != null) {
                    mesos.add(uri);
                }
            }
            int https = p.range("https-port", httpsPort, 0, 65_535);
            List<TlsCertificate> certs = new ArrayList<>();
            for (TlsCertificateEntry t : tlsCertificates) {
                TlsCertificate c = t == null ? null : t.validate(p);
                if (c != null) {
                    certs.add(c);
                }
            }
            return new OpsSettings(health, staleness, drain, accessLog == null || accessLog,
                    proxyHeaders, proxyHeaderSources, trusted, allow, List.copyOf(mesos), https,
                    List.copyOf(certs));
        }
    }
}
