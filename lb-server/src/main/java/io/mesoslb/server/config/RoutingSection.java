package io.mesoslb.server.config;

import io.mesoslb.core.AppGroups;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Which apps are routed and under which names. */
final class RoutingSection {
    @Option(names = "--domain", paramLabel = "<domain>",
            description = "base domain: app /team/api answers api.team.<domain> (default: none)")
    String domain;

    @Option(names = "--default-app", paramLabel = "<app id>",
            description = "app serving hosts no route claims (default: none: 404)")
    String defaultApp;

    @Option(names = "--groups", split = ",", paramLabel = "<name>", description = "route only apps whose "
            + "MESOS_LB_GROUP (or marathon-lb's HAPROXY_GROUP) label lists one; * for all (default: all apps)")
    List<String> groups = new ArrayList<>();

    @Option(names = "--strict-mode", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "route an app port only when its MESOS_LB_ENABLED (or HAPROXY_<n>_ENABLED) label is true, "
                    + "as marathon-lb's --strict-mode (default: ${DEFAULT-VALUE})")
    Boolean strictMode = false;

    @Option(names = "--exposed-by-default", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "as Traefik's exposedByDefault: route an app that has no routing labels but Traefik's "
                    + "(or none) unless traefik.enable is false; false: only with it true (default: ${DEFAULT-VALUE})")
    Boolean exposedByDefault = true;

    /** The validated settings; {@code domain} and {@code defaultApp} may be null. */
    record Routing(String domain, String defaultApp, AppGroups groups, boolean strictMode, boolean exposedByDefault) {
    }

    Routing validate(ConfigProblems p) {
        String app = p.optional(defaultApp);
        if (app != null && !app.startsWith("/")) {
            p.add("default-app must be a Marathon app id starting with '/', got '" + app + "'");
        }
        return new Routing(p.optional(domain), app, AppGroups.of(groups), Boolean.TRUE.equals(strictMode),
                !Boolean.FALSE.equals(exposedByDefault));
    }
}
