package io.mesoslb.demo;

import io.mesoslb.server.config.ConfigException;
import io.mesoslb.server.config.ConfigLoader;
import io.mesoslb.server.config.ServerConfig;
import io.mesoslb.testkit.MarathonSimulator;
import io.mesoslb.testkit.SimPort;
import io.mesoslb.testkit.SimulatorOptions;
import java.net.BindException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The demo: an in-process simulated Marathon with one app, and a configuration that points the real
 * discovery code at it. Everything else runs exactly as in production.
 */
final class Demo implements AutoCloseable {
    static final String APP = "/www";
    static final String DOMAIN = "mesos.local";
    static final int INSTANCES = 3;
    /** A TCP app: each task echoes what it reads, reached through the balancer on its service port. */
    static final String TCP_APP = "/echo";
    /** The demo's defaults, under the config file and the flags. */
    static final List<String> DEFAULTS = List.of("--listen-host=127.0.0.1", "--listen-port=8080",
            "--domain=" + DOMAIN, "--admin-host=127.0.0.1", "--admin-port=9090",
            // Ctrl-C should end a demo at once; there is no load balancer in front to drain from.
            "--drain-period=0s");
    // Ports tried after the preferred one before falling back to any free port.
    private static final int PORT_ATTEMPTS = 10;

    /** The demo's own flag, beside mesos-lb's. */
    static final class Options {
        @Option(names = "--demo-marathon-port", paramLabel = "<port>", description = "port of the demo's simulated "
                + "Marathon; when taken, one of the next few, else any free one (default: ${DEFAULT-VALUE})")
        int marathonPort = 8081;
    }

    private final MarathonSimulator marathon;
    private final ServerConfig config;

    private Demo(MarathonSimulator marathon, ServerConfig config) {
        this.marathon = marathon;
        this.config = config;
    }

    /** The demo of a command line that asks for neither help nor the version. */
    static Demo start(String... args) {
        Options options = new Options();
        return start(ConfigLoader.load(args, DEFAULTS, options).config(), args, options.marathonPort);
    }

    /**
     * Starts the simulated Marathon and points the configuration at it.
     *
     * @param checked the configuration {@code args} make, read before anything starts so that its
     *                problems are reported first
     * @throws ConfigException when the flags name another source of routes or a port that is none
     */
    static Demo start(ServerConfig checked, String[] args, int marathonPort) {
        if (!checked.marathonUrls().isEmpty() || checked.routesFile() != null) {
            throw new ConfigException("the demo brings its own Marathon; drop marathon-urls and routes-file");
        }
        if (marathonPort < 0 || marathonPort > 65_535) {
            throw new ConfigException("--demo-marathon-port must be a port number, got " + marathonPort);
        }
        MarathonSimulator marathon = startMarathon(marathonPort);
        try {
            marathon.createApp(APP, INSTANCES, Map.of(), true);
            marathon.createApp(TCP_APP, 2, Map.of(), false, List.of(SimPort.tcp()), false);
            List<String> defaults = new ArrayList<>(DEFAULTS);
            defaults.add("--marathon-urls=" + marathon.uri());
            return new Demo(marathon, ConfigLoader.load(args, defaults, new Options()).config());
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

    /**
     * The simulated Marathon on the preferred port, else on one of the next few, else on any free port (0). Each
     * port is tried by binding it: a port probed free and released could be taken before the simulator binds it.
     */
    private static MarathonSimulator startMarathon(int preferred) {
        for (int port = preferred; preferred != 0 && port < preferred + PORT_ATTEMPTS && port <= 65_535; port++) {
            try {
                return startMarathonOn(port);
            } catch (Exception e) {
                // Netty throws the checked BindException undeclared.
                if (!(e instanceof BindException)) {
                    throw e;
                }
                // taken; try the next one
            }
        }
        return startMarathonOn(0);
    }

    private static MarathonSimulator startMarathonOn(int port) {
        return MarathonSimulator.start(SimulatorOptions.builder().port(port).healthCheckDelay(Duration.ofMillis(500))
                .build());
    }
}
