package io.mesoslb.server.config;

import io.mesoslb.core.CidrList;
import io.mesoslb.discovery.UrlCredentials;
import io.mesoslb.server.observe.AccessLogRotation;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Operations: health checks, draining and shutdown, access log, the client's address, the admin plane. */
final class OpsSection {
    private static final int MAX_HISTORY_DAYS = 3650;

    @Option(names = "--health-path", paramLabel = "<path>", description = "on the proxy port, answers like the admin "
            + "/health for any Host that is not a routed vhost (default: ${DEFAULT-VALUE})")
    String healthPath = "/_health";

    @Option(names = "--health-max-staleness", paramLabel = "<duration>", description = "report unhealthy when "
            + "discovery has had no contact for this long (Marathon's heartbeats count); 0s: off (default: ${DEFAULT-VALUE})")
    String healthMaxStaleness = "0s";

    @Option(names = "--drain-period", paramLabel = "<duration>", description = "on SIGTERM, health turns 503 and "
            + "traffic is still served this long before the listeners close; set it to at least the balancer's "
            + "health check interval x unhealthy threshold (default: ${DEFAULT-VALUE})")
    String drainPeriod = "30s";

    @Option(names = "--shutdown-grace", paramLabel = "<duration>",
            description = "time in-flight requests get on shutdown (default: ${DEFAULT-VALUE})")
    String shutdownGrace = "10s";

    @Option(names = "--access-log", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "one line per request on logger mesos-lb.access (default: ${DEFAULT-VALUE})")
    Boolean accessLog = true;

    @Option(names = "--access-log-format", paramLabel = "combined|json", description = "combined: the combined log "
            + "format plus vhost, backend and milliseconds; json: one JSON object per line with the same fields plus "
            + "the app (default: ${DEFAULT-VALUE})")
    String accessLogFormat = "combined";

    @Option(names = "--access-log-file", paramLabel = "<path>", description = "write the access log to this file, "
            + "apart from the application log, rotated daily and by size (access-log-max-size), old files gzipped; "
            + "unset: stdout, through the Logback configuration (default: none)")
    String accessLogFile;

    @Option(names = "--access-log-max-size", paramLabel = "<size>", description = "with access-log-file: once the "
            + "file has reached this size (KB, MB or GB, at least 1KB), the next line starts a new one "
            + "(default: ${DEFAULT-VALUE})")
    String accessLogMaxSize = "100MB";

    @Option(names = "--access-log-max-history", paramLabel = "<days>", description = "with access-log-file: days of "
            + "rotated files kept, 1 to " + MAX_HISTORY_DAYS + " (default: ${DEFAULT-VALUE})")
    Integer accessLogMaxHistory = 14;

    @Option(names = "--access-log-total-size-cap", paramLabel = "<size>", description = "with access-log-file: the "
            + "rotated files together at most this size, the oldest deleted first; at least access-log-max-size "
            + "(default: ${DEFAULT-VALUE})")
    String accessLogTotalSizeCap = "5GB";

    @Option(names = "--proxy-protocol", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "expect a PROXY protocol v1/v2 header on every connection; balancers that health-check "
                    + "without one should use the admin port's /health; needs proxy-protocol-trusted "
                    + "(default: ${DEFAULT-VALUE})")
    Boolean proxyProtocol = false;

    @Option(names = "--proxy-protocol-trusted", split = ",", paramLabel = "<cidr>", description = "peers whose "
            + "PROXY header is believed: the balancer's subnets; from any other peer the header is read but the peer "
            + "is the client. Required with proxy-protocol, so that whoever reaches the port other than through the "
            + "balancer cannot claim an admin-allow address; 0.0.0.0/0,::/0 believes everyone (default: none)")
    List<String> proxyProtocolTrusted = new ArrayList<>();

    @Option(names = "--trusted-proxies", split = ",", paramLabel = "<cidr>",
            description = "peers whose X-Forwarded-For is believed (default: none)")
    List<String> trustedProxies = new ArrayList<>();

    @Option(names = "--admin-host", paramLabel = "<addr>", description = "admin listen address (default: ${DEFAULT-VALUE})")
    String adminHost = "127.0.0.1";

    @Option(names = "--admin-port", paramLabel = "<port>",
            description = "admin port, 0 for an ephemeral one, -1: disabled (default: ${DEFAULT-VALUE})")
    Integer adminPort = 9090;

    @Option(names = "--admin-allow", split = ",", paramLabel = "<cidr>", description = "clients allowed on "
            + "marathon.admin.<domain> and mesos.admin.<domain>; others get 403 (default: none)")
    List<String> adminAllow = new ArrayList<>();

    @Option(names = "--mesos-urls", split = ",", paramLabel = "<url>", description = "Mesos masters behind "
            + "mesos.admin.<domain> (http only); marathon.admin.<domain> goes to the http marathon-urls (default: none)")
    List<String> mesosUrls = new ArrayList<>();

    /** The validated settings, TLS's included. */
    record Operations(OpsSettings ops, String adminHost, int adminPort, Duration shutdownGrace) {
    }

    Operations validate(ConfigProblems p, TlsSection.Tls tls) {
        String health = p.nonBlank("health-path", healthPath);
        if (health != null && !health.startsWith("/")) {
            p.add("health-path must start with '/', got '" + health + "'");
        }
        Duration staleness = p.duration("health-max-staleness", healthMaxStaleness, true);
        Duration drain = p.duration("drain-period", drainPeriod, true);
        Duration grace = p.duration("shutdown-grace", shutdownGrace, true);
        boolean proxyHeaders = Boolean.TRUE.equals(proxyProtocol);
        CidrList proxyHeaderSources = p.cidrs("proxy-protocol-trusted", proxyProtocolTrusted);
        if (proxyHeaders && proxyHeaderSources.isEmpty()) {
            // Fail closed: believing every peer's PROXY header lets anyone who reaches the port claim any address.
            p.add("proxy-protocol-trusted must be set when proxy-protocol is true: the networks of the balancer"
                    + " that sends PROXY headers (its subnets); 0.0.0.0/0,::/0 believes every peer");
        }
        CidrList trusted = p.cidrs("trusted-proxies", trustedProxies);
        String admin = p.nonBlank("admin-host", adminHost);
        int port = p.range("admin-port", adminPort, -1, 65_535);
        CidrList allow = p.cidrs("admin-allow", adminAllow);
        boolean json = "json".equals(accessLogFormat);
        if (!json && !"combined".equals(accessLogFormat)) {
            p.add("access-log-format must be combined or json, got '" + accessLogFormat + "'");
        }
        Path logFile = null;
        if (accessLogFile != null) {
            String file = p.nonBlank("access-log-file", accessLogFile);
            if (file != null) {
                logFile = Path.of(file).toAbsolutePath();
                if (Files.isDirectory(logFile)) {
                    p.add("access-log-file '" + file + "' is a directory");
                }
            }
        }
        OpsSettings ops = new OpsSettings(health, staleness, drain, !Boolean.FALSE.equals(accessLog), json, logFile,
                rotation(p), proxyHeaders,
                proxyHeaderSources, trusted, allow, mesosUrls(p), tls.httpsPort(), tls.certificates());
        return new Operations(ops, admin, port, grace);
    }

    private AccessLogRotation rotation(ConfigProblems p) {
        long maxSize = p.byteSize("access-log-max-size", accessLogMaxSize, 1024, "1KB");
        int history = p.range("access-log-max-history", accessLogMaxHistory, 1, MAX_HISTORY_DAYS);
        long cap = p.byteSize("access-log-total-size-cap", accessLogTotalSizeCap, 1024, "1KB");
        if (maxSize > 0 && cap > 0 && cap < maxSize) {
            // Logback would refuse to start the file; one rotated file would already be over the cap.
            p.add("access-log-total-size-cap (" + accessLogTotalSizeCap.strip() + ") must be at least access-log-max-size ("
                    + accessLogMaxSize.strip() + ")");
        }
        return new AccessLogRotation(maxSize, history, cap);
    }

    private List<URI> mesosUrls(ConfigProblems p) {
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
        return List.copyOf(mesos);
    }
}
