package io.mesoslb.server;

import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.discovery.DiscoverySource;
import io.mesoslb.discovery.file.FileDiscovery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of the executable jar. */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        ServerConfig config;
        try {
            CommandLine cmd = CommandLine.parse(args);
            if (cmd.help()) {
                System.out.println(CommandLine.USAGE);
                return;
            }
            config = ConfigLoader.load(cmd);
        } catch (ConfigException e) {
            log.error("{}", e.getMessage());
            System.exit(2);
            return;
        }
        RouteTableHolder routes = new RouteTableHolder(new VhostNaming(config.domain()));
        LbServer server;
        try {
            server = new LbServer(config, routes).start();
        } catch (RuntimeException e) {
            log.error("mesos-lb failed to start", e);
            System.exit(1);
            return;
        }
        DiscoverySource discovery = null;
        if (config.routesFile() != null) {
            discovery = new FileDiscovery(config.routesFile(), routes, config.routesPollInterval());
            discovery.start();
            log.info("routes from file {} (checked every {} ms)", config.routesFile(),
                    config.routesPollInterval().toMillis());
        } else if (config.marathonUrls().isEmpty()) {
            log.warn("no routes file and no Marathon URL configured: every request will get 404");
        }
        DiscoverySource source = discovery;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down");
            if (source != null) {
                source.close();
            }
            server.close();
        }, "mesos-lb-shutdown"));
    }
}
