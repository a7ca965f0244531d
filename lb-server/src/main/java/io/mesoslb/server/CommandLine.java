package io.mesoslb.server;

import io.mesoslb.discovery.UrlCredentials;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parsed command line: {@code --key=value} or {@code --key value} pairs named like the
 * configuration keys, plus {@code --config <file>} and {@code --help}. A switch given without a value
 * means {@code true}; any other setting without one is an error.
 */
public record CommandLine(String configFile, boolean help, boolean version, Map<String, String> overrides) {

    public static CommandLine parse(String[] args) {
        String config = null;
        boolean help = false;
        boolean version = false;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (arg.equals("--version")) {
                version = true;
                continue;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                // Redacted: a stray argument is often the second of two URLs after one flag.
                throw new ConfigException("unexpected argument '" + UrlCredentials.redact(arg)
                        + "' (flags look like --listen-port=8080; see --help)");
            }
            String key;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                key = arg.substring(2, eq);
                value = arg.substring(eq + 1);
            } else {
                key = arg.substring(2);
                boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
                if (!hasValue && takesValue(key)) {
                    // Read as "true", `--domain --routes-file x` routed www.true.
                    throw new ConfigException("--" + key + " needs a value (see --help)");
                }
                value = hasValue ? args[++i] : "true";
            }
            if (key.equals("config")) {
                config = value;
            } else {
                overrides.put(key, value);
            }
        }
        return new CommandLine(config, help, version, Collections.unmodifiableMap(overrides));
    }

    /** True for a setting that is not a switch: given bare, it has lost its value, not turned something on. */
    static boolean takesValue(String key) {
        StringBuilder camel = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '-' && i + 1 < key.length()) {
                camel.append(Character.toUpperCase(key.charAt(++i)));
            } else {
                camel.append(c);
            }
        }
        try {
            return ServerConfig.Builder.class.getDeclaredField(camel.toString()).getType() != Boolean.class;
        } catch (NoSuchFieldException e) {
            return key.equals("config"); // other unknown keys are reported by name when the settings are read
        }
    }

    public static final String USAGE = String.join("\n",
            "Usage: java -jar mesos-lb.jar [--config <file.yaml|file.yml|file.json>] [--<key>=<value> ...]",
            "",
            "Every key can be set in the config file (kebab-case) and overridden by a flag of the same name.",
            "Durations take a unit: 500ms, 5s, 2m, 1h (or ISO-8601 such as PT5S).",
            "",
            "Listener and proxying:",
            "  --listen-host <addr>                    proxy listen address (0.0.0.0)",
            "  --listen-port <port>                    proxy port, 0 for an ephemeral one (8080)",
            "  --app-id-port <port>                    a second plain-http port routing by the X-Marathon-App-Id",
            "                                          header (an app's main port), as marathon-lb's :9091; 0 for",
            "                                          an ephemeral one; -1: none (-1)",
            "  --app-id-host <addr>                    the app-id port's listen address, e.g. an internal one",
            "                                          (listen-host)",
            "  --domain <domain>                       base domain: app /team/api answers api.team.<domain>",
            "  --groups <name,...>                     route only apps whose MESOS_LB_GROUP (or marathon-lb's",
            "                                          HAPROXY_GROUP) label lists one; * for all (all apps)",
            "  --strict-mode [true|false]              route an app port only when its MESOS_LB_ENABLED (or",
            "                                          HAPROXY_<n>_ENABLED) label is true, as marathon-lb's",
            "                                          --strict-mode (false)",
            "  --exposed-by-default [true|false]       as Traefik's exposedByDefault: route an app that has no",
            "                                          routing labels but Traefik's (or none) unless",
            "                                          traefik.enable is false; false: only with it true (true)",
            "  --worker-threads <n>                    event loop threads (number of CPUs)",
            "  --max-connections <n>                   client connections open at once; at the limit new",
            "                                          clients wait in the accept queue. 0: (open-file limit",
            "                                          - 256) / 2, read at start; -1: no limit (0)",
            "  --force-nio [true|false]                use NIO even where epoll is available (false)",
            "  --connect-timeout <duration>            backend connect timeout (5s)",
            "  --response-timeout <duration>           backend silence allowed: to the response head, then",
            "                                          between two reads of the body (60s)",
            "  --client-idle-timeout <duration>        close idle client connections (120s)",
            "  --backend-idle-timeout <duration>       close unused pooled backend connections (60s)",
            "  --max-idle-per-backend <n>              pooled connections per backend per thread (32)",
            "  --max-initial-line-length <bytes>       longest request line accepted (8192)",
            "  --max-header-size <bytes>               largest header block accepted (16384)",
            "  --default-app <app id>                  app serving hosts no route claims (none: 404)",
            "  --connect-retries <n>                   other backends tried after a connect failure, or after a reset",
            "                                          before any response to a GET/HEAD/OPTIONS without body (1)",
            "  --write-buffer-low <bytes>              a connection's outbound buffer drained to this resumes",
            "                                          reading its peer (131072)",
            "  --write-buffer-high <bytes>             a connection's outbound buffer above this pauses reading",
            "                                          its peer: at most this much is held per slow reader (262144)",
            "",
            "Routes (a routes file or Marathon):",
            "  --routes-file <path>                    routes from a file in Marathon's /v2/apps format",
            "  --routes-poll-interval <duration>       how often the routes file is checked (2s)",
            "  --marathon-urls <url,url,...>           Marathon endpoints; http://user:password@host is sent as",
            "                                          basic auth (the same for all) and never printed",
            "  --marathon-user <name>                  Marathon basic auth user (with --marathon-password)",
            "  --marathon-password <secret>            Marathon basic auth password; prefer the config file",
            "  --marathon-token <token>                Marathon auth token instead of basic auth",
            "  --marathon-token-style <style>          dcos: 'token=<t>' (DC/OS), bearer: 'Bearer <t>' (dcos)",
            "  --marathon-truststore <path>            trust these CAs for https Marathon URLs (JDK default)",
            "  --marathon-truststore-password <p>      truststore password",
            "  --marathon-truststore-type <type>       truststore type (PKCS12)",
            "  --marathon-read-idle-timeout <d>        event stream silence that counts as dead (30s)",
            "  --marathon-resync-interval <d>          full snapshot this often even when events flow (5m)",
            "",
            "Admin server and shutdown:",
            "  --admin-host <addr>                     admin listen address (127.0.0.1)",
            "  --admin-port <port>                     admin port, 0 ephemeral, -1 disabled (9090)",
            "  --shutdown-grace <duration>             time in-flight requests get on shutdown (10s)",
            "",
            "Passive health (outlier ejection), client timeouts and request limits:",
            "  --outlier-consecutive-failures <n>      connect failures, resets, timeouts, 502-504 in a row",
            "                                          that eject a backend; 0 disables (5)",
            "  --outlier-consecutive-5xx <n>           failures of any kind, 500 included, in a row that eject; 0 off (0)",
            "  --outlier-base-ejection-time <duration> first ejection; the n-th in a row lasts n times as long (30s)",
            "  --outlier-max-ejection-time <duration>  longest ejection (300s)",
            "  --outlier-max-ejection-percent <n>      most of an app's backends ejected at once; at least one",
            "                                          of two or more, never all (50)",
            "  --request-header-timeout <duration>     a started request head must be complete within this, else",
            "                                          408; also the time a new connection has to start one; 0 off (10s)",
            "  --request-timeout <duration>            whole exchange, head to end of response: 408 while the",
            "                                          client sends, 504 while waiting for the backend; 0 off (0s)",
            "  --max-request-body <bytes>              larger bodies get 413, before any backend is contacted when",
            "                                          Content-Length says so; 0 for no limit (0)",
            "",
            "Operations (health checks, draining, access log, client address, admin vhosts, TLS):",
            "  --health-path <path>                    on the proxy port, answers like the admin /health for any",
            "                                          Host that is not a routed vhost (/_health)",
            "  --health-max-staleness <duration>       report unhealthy when discovery has had no contact for",
            "                                          this long (Marathon's heartbeats count); 0s: off (0s)",
            "  --drain-period <duration>               on SIGTERM, health turns 503 and traffic is still served",
            "                                          this long before the listeners close; set it to at least",
            "                                          the balancer's health check interval x unhealthy",
            "                                          threshold (30s)",
            "  --access-log [true|false]               one line per request on logger mesos-lb.access (true)",
            "  --proxy-protocol [true|false]           expect a PROXY protocol v1/v2 header on every connection;",
            "                                          balancers that health-check without one should use the",
            "                                          admin port's /health; needs proxy-protocol-trusted (false)",
            "  --proxy-protocol-trusted <cidr,...>     peers whose PROXY header is believed: the balancer's",
            "                                          subnets; from any other peer the header is read but the",
            "                                          peer is the client. Required with proxy-protocol, so that",
            "                                          whoever reaches the port other than through the balancer",
            "                                          cannot claim an admin-allow address; 0.0.0.0/0,::/0 believes",
            "                                          everyone (none)",
            "  --trusted-proxies <cidr,...>            peers whose X-Forwarded-For is believed (none)",
            "  --admin-allow <cidr,...>                clients allowed on marathon.admin.<domain> and",
            "                                          mesos.admin.<domain>; others get 403 (none)",
            "  --mesos-urls <url,url,...>              Mesos masters behind mesos.admin.<domain> (http only);",
            "                                          marathon.admin.<domain> goes to the http marathon-urls",
            "  --https-port <port>                     TLS listener port, 0 for an ephemeral one (8443); only",
            "                                          with tls-certificates",
            "  --tls-certificates <cert.pem:key.pem[:host,host...];...>",
            "                                          PEM certificate chain and PKCS#8 key per SNI host name",
            "                                          (*.example.com allowed); the first is the default. In a",
            "                                          config file: a list of {cert, key, hosts}",
            "",
            "Other:",
            "  --version                               print the version and exit",
            "  --help                                  print this help");
}
