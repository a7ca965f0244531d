package io.mesoslb.demo;

import io.mesoslb.server.CommandLine;
import io.mesoslb.server.ConfigException;
import io.mesoslb.server.ConfigLoader;
import io.mesoslb.server.ServerConfig;

import io.mesoslb.testkit.MarathonSimulator;
import io.mesoslb.testkit.SimulatorOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo: an in-process simulated Marathon with one app, and a configuration that points the real
 * discovery code at it. Everything else runs exactly as in production.
 */
final class Demo implements AutoCloseable {
    static final String MARATHON_PORT_FLAG = "demo-marathon-port";
    static final String APP = "/www";
    static final String DOMAIN = "mesos.local";
    static final int INSTANCES = 3;
    private static final int DEFAULT_MARATHON_PORT = 8081;
    // Ports tried after the preferred one before falling back to any free port.
    private static final int PORT_ATTEMPTS = 10;

    private final MarathonSimulator marathon;
    private final ServerConfig config;

    private Demo(MarathonSimulator marathon, ServerConfig config) {
        this.marathon = marathon;
        this.config = config;
    }

    /**
     * Starts the simulated Marathon and builds the demo configuration: the demo's defaults, then the
     * config file and flags as usual, then the simulator as the one Marathon URL.
     *
     * @throws ConfigException when the flags are invalid or name another source of routes
     */
    static Demo start(CommandLine cmd) {
        Map<String, String> flags = new LinkedHashMap<>(cmd.overrides());
        int preferredPort = marathonPort(flags.remove(MARATHON_PORT_FLAG));
        if (flags.containsKey("marathon-urls") || flags.containsKey("routes-file")) {
            throw new ConfigException("the demo brings its own Marathon; drop --marathon-urls and --routes-file");
        }
        ServerConfig.Builder builder = ServerConfig.builder().listenHost("127.0.0.1").listenPort(8080).domain(DOMAIN)
                .adminHost("127.0.0.1").adminPort(9090)
                // Ctrl-C should end a demo at once; there is no load balancer in front to drain from.
                .drainPeriod("0s");
        ConfigLoader.apply(new CommandLine(cmd.configFile(), false, false, flags), builder);
        builder.build(); // reports configuration errors before anything starts

        MarathonSimulator marathon = MarathonSimulator.start(SimulatorOptions.builder()
                .port(freePort(preferredPort))
                .healthCheckDelay(Duration.ofMillis(500))
                .build());
        try {
            marathon.createApp(APP, INSTANCES, Map.of(), true);
            ServerConfig config = builder.marathonUrls(List.of(marathon.uri().toString())).build();
            return new Demo(marathon, config);
        } catch (RuntimeException e) {
            marathon.close();
            throw e;
        }
    }

    ServerConfig config() {
        return config;
    }

    MarathonSimulator marathon() {
        return marathon;
    }

    @Override
    public void close() {
        marathon.close();
    }

    private static int marathonPort(String flag) {
        if (flag == null) {
            return DEFAULT_MARATHON_PORT;
        }
        try {
            int port = Integer.parseInt(flag.strip());
            if (port >= 0 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException("--" + MARATHON_PORT_FLAG + " must be a port number, got '" + flag + "'");
    }

    /** The preferred port or one of the next few if it is taken, else any free port (0). */
    private static int freePort(int preferred) {
        if (preferred == 0) {
            return 0;
        }
        for (int port = preferred; port < preferred + PORT_ATTEMPTS && port <= 65_535; port++) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return port;
            } catch (IOException e) {
                // taken; try the next one
            }
        }
        return 0;
    }
}
