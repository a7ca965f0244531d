package io.mesoslb.server;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parsed command line: {@code --key=value} or {@code --key value} pairs named like the
 * configuration keys, plus {@code --config <file>} and {@code --help}. A flag given without a value
 * means {@code true}.
 */
record CommandLine(String configFile, boolean help, Map<String, String> overrides) {

    static CommandLine parse(String[] args) {
        String config = null;
        boolean help = false;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new ConfigException("unexpected argument '" + arg + "' (flags look like --listen-port=8080; see --help)");
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
                value = hasValue ? args[++i] : "true";
            }
            if (key.equals("config")) {
                config = value;
            } else {
                overrides.put(key, value);
            }
        }
        return new CommandLine(config, help, Collections.unmodifiableMap(overrides));
    }

    static final String USAGE = String.join("\n",
            "Usage: java -jar mesos-lb.jar [--config <file.yaml|file.yml|file.json>] [--<key>=<value> ...]",
            "",
            "Every key can be set in the config file (kebab-case) and overridden by a flag of the same name.",
            "Durations take a unit: 500ms, 5s, 2m, 1h (or ISO-8601 such as PT5S).",
            "",
            "  --listen-host <addr>              proxy listen address (0.0.0.0)",
            "  --listen-port <port>              proxy port, 0 for an ephemeral one (8080)",
            "  --domain <domain>                 base domain: app /team/api answers api.team.<domain>",
            "  --worker-threads <n>              event loop threads (number of CPUs)",
            "  --force-nio[=true|false]          use NIO even where epoll is available (false)",
            "  --connect-timeout <duration>      backend connect timeout (5s)",
            "  --response-timeout <duration>     wait for backend response headers (60s)",
            "  --client-idle-timeout <duration>  close idle client connections (120s)",
            "  --backend-idle-timeout <duration> close unused pooled backend connections (60s)",
            "  --max-idle-per-backend <n>        pooled connections per backend per thread (32)",
            "  --max-initial-line-length <bytes> longest request line accepted (8192)",
            "  --max-header-size <bytes>         largest header block accepted (16384)",
            "  --default-app <app id>            app serving hosts no route claims (none: 404)",
            "  --connect-retries <n>             other backends tried after a connect failure (1)",
            "  --write-buffer-low <bytes>        outbound buffer low water mark (32768)",
            "  --write-buffer-high <bytes>       outbound buffer high water mark (65536)",
            "  --routes-file <path>              routes from a file in Marathon's /v2/apps format",
            "  --routes-poll-interval <duration> how often the routes file is checked (2s)",
            "  --marathon-urls <url,url,...>     Marathon endpoints",
            "  --admin-host <addr>               admin listen address (127.0.0.1)",
            "  --admin-port <port>               admin port, 0 ephemeral, -1 disabled (9090)",
            "  --shutdown-grace <duration>       time in-flight requests get on shutdown (10s)",
            "  --help                            print this help");
}
