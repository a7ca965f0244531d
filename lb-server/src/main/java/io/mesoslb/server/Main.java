package io.mesoslb.server;

import io.mesoslb.server.admin.VersionInfo;
import io.mesoslb.server.routes.RouteSources;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.discovery.DiscoverySource;
import io.mesoslb.server.config.ConfigException;
import io.mesoslb.server.config.ConfigLoader;
import io.mesoslb.server.config.ServerConfig;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of the executable jar, and the start-up and shutdown other mains (the demo's) reuse. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // picocli reads the settings on a thread of its own while this one starts Logback (prepare() makes
        // Netty's first logger): each is a few hundred ms of cold code, and reading the settings neither logs
        // nor touches Netty. (Main has no static logger for that reason: it would start Logback first.)
        FutureTask<ConfigLoader.Request> settings = new FutureTask<>(() -> ConfigLoader.load(args, List.of()));
        new Thread(settings, "settings").start();
        prepare();
        LoggerFactory.getILoggerFactory();
        ConfigLoader.Request request;
        try {
            request = settings.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ConfigException c) {
                exitOnConfigError(c, null);
                return;
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (answeredHelpOrVersion(request)) {
            return;
        }
        if (request.check()) {
            check(request.config());
            return;
        }
        run(request.config(), null, server -> { });
    }

    /** Process-wide settings that must be made before any Netty class is used: the first call of a main. */
    public static void prepare() {
        LeakDetection.productionDefault(System.getProperties());
    }

    /**
     * Prints the usage for {@code --help} (with {@code extraOptions}, as given to the loader), or the
     * version for {@code --version}; true when it did and the program is done.
     */
    public static boolean answeredHelpOrVersion(ConfigLoader.Request request, Object... extraOptions) {
        if (request.help()) {
            System.out.print(ConfigLoader.usage(extraOptions));
            return true;
        }
        if (request.version()) {
            System.out.println(VersionInfo.NAME + " " + VersionInfo.version() + " (commit " + VersionInfo.commit() + ")");
            return true;
        }
        return false;
    }

    /**
     * {@code --check}: the configuration is valid when it loaded; the route source is made (which
     * reads a truststore, for one) but not started, so nothing listens and Marathon is not asked.
     */
    static void check(ServerConfig config) {
        RouteTableHolder routes = new RouteTableHolder(new VhostNaming(config.domain()), config.groups());
        try (DiscoverySource source = RouteSources.create(config, routes)) {
            System.out.println("configuration OK: proxy on " + config.listenHost() + ":" + config.listenPort()
                    + ", routes from " + (config.routesFile() != null ? config.routesFile() : config.marathonUrls())
                    + (config.domain() == null ? ", no domain (only apps with vhost labels are routed)"
                    : ", domain " + config.domain()));
        } catch (ConfigException e) {
            exitOnConfigError(e, null);
        } catch (Exception e) {
            log().warn("closing the route source after the check failed", e);
        }
    }

    /** Says what is wrong with the configuration, closes {@code companion} (may be null) and exits with status 2. */
    public static void exitOnConfigError(ConfigException e, AutoCloseable companion) {
        log().error("{}", e.getMessage());
        closeQuietly(companion);
        System.exit(2);
    }

    /**
     * Runs mesos-lb with {@code config} until SIGTERM: discovery, the listeners, and the shutdown
     * sequence. Exits the JVM when it cannot start (status 2 for the configuration, 1 otherwise).
     *
     * @param companion something else the process runs (the demo's simulated Marathon), closed after
     *                  the server and discovery so that its backends serve to the end; may be null
     * @param onStarted called once the listeners are bound, e.g. to print where they are
     */
    public static void run(ServerConfig config, AutoCloseable companion, Consumer<LbServer> onStarted) {
        RouteTableHolder routes;
        DiscoverySource discovery;
        try {
            routes = new RouteTableHolder(new VhostNaming(config.domain()), config.groups());
            if (!config.groups().servesAll()) {
                log().info("routing only the apps of {}", config.groups());
            }
            discovery = RouteSources.create(config, routes);
        } catch (ConfigException e) {
            exitOnConfigError(e, companion);
            return;
        }
        // A routes file is read and routed on discovery's thread while the server starts; it is published at
        // discovery.start(), once the server's table listeners are registered.
        discovery.prepare();
        LbServer server = new LbServer(config, routes).discoveryState(discovery::state);
        try {
            server.start();
            discovery.start();
        } catch (RuntimeException e) {
            String reason = StartupFailure.explain(e);
            if (reason != null) {
                log().error("mesos-lb failed to start: {}", reason);
            } else {
                log().error("mesos-lb failed to start", e);
            }
            closeQuietly(server);
            closeQuietly(discovery);
            closeQuietly(companion);
            System.exit(1);
            return;
        }
        onStarted.accept(server);
        // Discovery keeps routes current while the server drains; the companion serves until the end.
        ShutdownSequence.install(server, discovery, companion);
    }

    private static Logger log() {
        return LoggerFactory.getLogger(Main.class);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            log().warn("closing {} failed", c, e);
        }
    }
}
