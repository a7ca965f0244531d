package io.mesoslb.server.config;

import io.mesoslb.server.transport.MaxConnections;
import picocli.CommandLine.Option;

/** Where the proxy listens and with how many threads and connections. */
final class ListenerSection {
    @Option(names = "--listen-host", paramLabel = "<addr>", description = "proxy listen address (default: ${DEFAULT-VALUE})")
    String listenHost = "0.0.0.0";

    @Option(names = "--listen-port", paramLabel = "<port>",
            description = "proxy port, 0 for an ephemeral one (default: ${DEFAULT-VALUE})")
    Integer listenPort = 8080;

    // Off: it routes to every app by id, vhost or not, which a cluster may want kept internal.
    @Option(names = "--app-id-port", paramLabel = "<port>", description = "a second plain-http port routing by the "
            + "X-Marathon-App-Id header (an app's main port), as marathon-lb's :9091; 0 for an ephemeral one, "
            + "-1 for none (default: ${DEFAULT-VALUE})")
    Integer appIdPort = -1;

    @Option(names = "--app-id-host", paramLabel = "<addr>",
            description = "the app-id port's listen address, e.g. an internal one (default: listen-host)")
    String appIdHost;

    @Option(names = "--worker-threads", paramLabel = "<n>", description = "event loop threads (default: the number of CPUs)")
    Integer workerThreads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--max-connections", paramLabel = "<n>", description = "client connections open at once; at the "
            + "limit new clients wait in the accept queue. 0: (open-file limit - 256) / 2, read at start; "
            + "-1: no limit (default: ${DEFAULT-VALUE})")
    Integer maxConnections = 0;

    @Option(names = "--force-nio", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "use NIO even where epoll is available (default: ${DEFAULT-VALUE})")
    Boolean forceNio = false;

    /** The validated settings. */
    record Listener(String host, int port, String appIdHost, int appIdPort, int workers, int maxConnections,
                    boolean forceNio) {
    }

    Listener validate(ConfigProblems p) {
        String host = p.nonBlank("listen-host", listenHost);
        int port = p.range("listen-port", listenPort, 0, 65_535);
        String idHost = appIdHost == null || appIdHost.isBlank() ? host : appIdHost.strip();
        int idPort = p.range("app-id-port", appIdPort, -1, 65_535);
        if (idPort > 0 && idPort == port && idHost != null && idHost.equals(host)) {
            p.add("app-id-port must differ from listen-port (both " + port + ")");
        }
        int workers = p.range("worker-threads", workerThreads, 1, 4096);
        int maxConns = p.range("max-connections", maxConnections, -1, MaxConnections.CEILING);
        return new Listener(host, port, idHost, idPort, workers, maxConns, Boolean.TRUE.equals(forceNio));
    }
}
