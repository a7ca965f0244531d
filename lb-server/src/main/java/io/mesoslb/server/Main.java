package io.mesoslb.server;

import io.mesoslb.server.admin.VersionInfo;
import io.mesoslb.server.discovery.DiscoverySources;

import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.discovery.DiscoverySource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of the executable jar. */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        LeakDetection.productionDefault(System.getProperties());
        ServerConfig config;
        Demo demo = null;
        RouteTableHolder routes;
        DiscoverySource discovery;
        try {
            CommandLine cmd = CommandLine.parse(args);
            if (cmd.help()) {
                System.out.println(CommandLine.USAGE);
                return;
            }
            if (cmd.version()) {
                System.out.println(VersionInfo.NAME + " " + VersionInfo.version());
                return;
            }
            if (Demo.requested(cmd)) {
                demo = Demo.start(cmd);
                config = demo.config();
            } else {
                config = ConfigLoader.load(cmd.without(Demo.FLAG));
            }
            routes = new RouteTableHolder(new VhostNaming(config.domain()), config.groups());
            if (!config.groups().servesAll()) {
                log.info("routing only the apps of {}", config.groups());
            }
            discovery = DiscoverySources.create(config, routes);
        } catch (ConfigException e) {
            log.error("{}", e.getMessage());
            closeQuietly(demo);
            System.exit(2);
            return;
        }
        LbServer server = new LbServer(config, routes).discoveryState(discovery::state);
        try {
            server.start();
            discovery.start();
        } catch (RuntimeException e) {
            String reason = StartupFailure.explain(e);
            if (reason != null) {
                log.error("mesos-lb failed to start: {}", reason);
            } else {
                log.error("mesos-lb failed to start", e);
            }
            closeQuietly(server);
            closeQuietly(discovery);
            closeQuietly(demo);
            System.exit(1);
            return;
        }
        if (demo != null) {
            DemoBanner.log(demo, server.localAddress(), server.adminAddress());
        }
        // Discovery keeps routes current while the server drains; the demo's backends serve until the end.
        ShutdownSequence.install(server, discovery, demo);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            log.warn("closing {} failed", c, e);
        }
    }
}
