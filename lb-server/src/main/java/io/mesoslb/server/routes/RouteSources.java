package io.mesoslb.server.routes;

import io.mesoslb.server.config.ConfigException;
import io.mesoslb.server.config.ServerConfig;

import io.mesoslb.discovery.labels.LabelProblems;
import io.mesoslb.discovery.labels.PortRoutes;
import io.mesoslb.discovery.marathon.HealthVerdicts;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.discovery.DiscoverySource;
import io.mesoslb.discovery.file.FileDiscovery;
import io.mesoslb.discovery.marathon.MarathonDiscovery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the one source of routes the configuration names. */
public final class RouteSources {
    private static final Logger log = LoggerFactory.getLogger(RouteSources.class);

    private RouteSources() {
    }

    /**
     * The source that keeps {@code routes} current, not started yet.
     *
     * <p>Exactly one of {@code marathon-urls} and {@code routes-file} must be set. Neither is an error
     * too: without discovery the table stays empty and even a default app would have no backends, so
     * such a proxy could only ever answer 404.
     *
     * @throws ConfigException when no or both sources are configured, or the truststore cannot be loaded
     */
    public static DiscoverySource create(ServerConfig config, RouteTableHolder routes) {
        boolean marathon = !config.marathonUrls().isEmpty();
        boolean file = config.routesFile() != null;
        if (marathon && file) {
            throw new ConfigException("set either marathon-urls or routes-file, not both");
        }
        PortRoutes labels = new PortRoutes(config.strictMode(), config.exposedByDefault(), new LabelProblems());
        if (marathon) {
            try {
                DiscoverySource source = new MarathonDiscovery(config.marathon().toConfig(config.marathonUrls()), routes,
                        new HealthVerdicts(), labels);
                log.info("routes from Marathon {} ({})", config.marathonUrls(), config.marathon());
                return source;
            } catch (IllegalArgumentException e) {
                throw new ConfigException("marathon: " + e.getMessage());
            }
        }
        if (file) {
            log.info("routes from file {} (checked every {} ms)", config.routesFile(),
                    config.routesPollInterval().toMillis());
            return new FileDiscovery(config.routesFile(), routes, config.routesPollInterval(), labels);
        }
        throw new ConfigException("no source of routes: set marathon-urls or routes-file (or try the demo: lb-demo/target/mesos-lb-demo.jar)");
    }
}
