package io.mesoslb.server;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import io.mesoslb.server.proxy.ProxySettings;
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
 * @param domain             base domain that app ids become vhosts under; null derives none
 * @param workerThreads      event loops serving connections
 * @param forceNio           use NIO even when epoll is available
 * @param proxy              data-plane timeouts and limits
 * @param routesFile         a routes file in Marathon's /v2/apps format, or null
 * @param routesPollInterval how often the routes file is checked for changes
 * @param marathonUrls       Marathon endpoints, tried in order
 * @param adminHost          admin listen address
 * @param adminPort          admin port; 0 binds an ephemeral port, -1 disables the admin server
 * @param shutdownGrace      how long in-flight requests may take to finish on shutdown
 */
public record ServerConfig(String listenHost, int listenPort, String domain, int workerThreads, boolean forceNio,
                           ProxySettings proxy, Path routesFile, Duration routesPollInterval, List<URI> marathonUrls,
                           String adminHost, int adminPort, Duration shutdownGrace) {

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
        private String domain;
        private Integer workerThreads = Runtime.getRuntime().availableProcessors();
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
        private Integer writeBufferLow = 32 * 1024;
        private Integer writeBufferHigh = 64 * 1024;
        private String routesFile;
        private String routesPollInterval = "2s";
        private List<String> marathonUrls = new ArrayList<>();
        private String adminHost = "127.0.0.1";
        private Integer adminPort = 9090;
        private String shutdownGrace = "10s";

        public Builder listenHost(String v) {
            listenHost = v;
            return this;
        }

        public Builder listenPort(Integer v) {
            listenPort = v;
            return this;
        }

        public Builder domain(String v) {
            domain = v;
            return this;
        }

        public Builder workerThreads(Integer v) {
            workerThreads = v;
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
            marathonUrls = v == null ? new ArrayList<>() : new ArrayList<>(v);
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

        /** @throws ConfigException listing every invalid setting */
        public ServerConfig build() {
            Problems p = new Problems();
            String host = p.nonBlank("listen-host", listenHost);
            int port = p.range("listen-port", listenPort, 0, 65_535);
            int workers = p.range("worker-threads", workerThreads, 1, 4096);
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
            String admin = p.nonBlank("admin-host", adminHost);
            int adminP = p.range("admin-port", adminPort, -1, 65_535);
            Duration grace = p.duration("shutdown-grace", shutdownGrace, true);
            boolean nio = forceNio != null && forceNio;
            p.throwIfAny();
            ProxySettings proxy = new ProxySettings(connect, response, clientIdle, backendIdle, maxIdle, maxLine,
                    maxHeader, app, retries, low, high);
            return new ServerConfig(host, port, domain == null || domain.isBlank() ? null : domain.strip(), workers,
                    nio, proxy, routes, poll, List.copyOf(marathon), admin, adminP, grace);
        }
    }

    /** Collects validation messages so that one run reports all of them. */
    private static final class Problems {
        private final List<String> messages = new ArrayList<>();

        void add(String message) {
            messages.add(message);
        }

        String nonBlank(String key, String value) {
            if (value == null || value.isBlank()) {
                add(key + " must be set");
                return null;
            }
            return value.strip();
        }

        int range(String key, Integer value, int min, int max) {
            if (value == null) {
                add(key + " must be set");
                return min;
            }
            if (value < min || value > max) {
                add(key + " must be between " + min + " and " + max + ", got " + value);
            }
            return value;
        }

        Duration duration(String key, String value, boolean zeroAllowed) {
            try {
                Duration d = Durations.parse(value);
                if (d.isNegative() || (!zeroAllowed && d.isZero())) {
                    add(key + " must be " + (zeroAllowed ? "zero or more" : "positive") + ", got '" + value + "'");
                }
                return d;
            } catch (IllegalArgumentException e) {
                add(key + ": " + e.getMessage());
                return Duration.ZERO;
            }
        }

        URI httpUrl(String key, String value) {
            try {
                URI uri = new URI(value == null ? "" : value.strip());
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    add(key + ": '" + value + "' is not an http(s) URL with a host");
                    return null;
                }
                return uri;
            } catch (java.net.URISyntaxException e) {
                add(key + ": '" + value + "' is not a URL (" + e.getReason() + ")");
                return null;
            }
        }

        void throwIfAny() {
            if (!messages.isEmpty()) {
                throw new ConfigException(messages);
            }
        }
    }
}
