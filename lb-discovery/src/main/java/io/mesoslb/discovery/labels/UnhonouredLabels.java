package io.mesoslb.discovery.labels;

import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names, once per app, the marathon-lb ({@code HAPROXY_*}) labels that mesos-lb does not carry out,
 * so that nothing a user relied on disappears without a word after the move. The ones that restrict access are not here: those fail closed in
 * {@link PortRoutes}.
 */
final class UnhonouredLabels {
    private static final Pattern PER_PORT = Pattern.compile("HAPROXY_\\d{1,3}_(.+)");
    /** Per-port names read by {@link PortRoutes}. */
    private static final Set<String> HONOURED = Set.of("VHOST", "PATH", "REDIRECT_TO_HTTPS", "STICKY", "GROUP",
            "ENABLED", "AUTH", "BACKEND_NETWORK_ALLOWED_ACL", "BALANCE", "USE_HSTS", "HTTP_BACKEND_PROXYPASS_PATH",
            "HTTP_BACKEND_REVPROXY_PATH", "HTTP_BACKEND_REDIR", "BACKEND_WEIGHT", "SSL_CERT", "PORT", "BIND_ADDR", "MODE");
    /** App-wide names read by {@link PortRoutes} and the deployment groups. */
    private static final Set<String> APP_WIDE = Set.of("HAPROXY_GROUP", "HAPROXY_DEPLOYMENT_GROUP",
            "HAPROXY_DEPLOYMENT_STARTED_AT", "HAPROXY_DEPLOYMENT_TARGET_INSTANCES", "HAPROXY_DEPLOYMENT_ALT_PORT",
            "HAPROXY_DEPLOYMENT_COLOUR");

    private UnhonouredLabels() {
    }

    static void report(String appId, Map<String, String> labels, LabelProblems problems) {
        for (String key : labels.keySet()) {
            // traefik.* labels are reported by TraefikLabels, which reads them.
            if (key.startsWith("HAPROXY_") && !APP_WIDE.contains(key)) {
                Matcher m = PER_PORT.matcher(key);
                if (!m.matches() || !HONOURED.contains(m.group(1))) {
                    problems.warn(appId, "label " + key + " is not honoured by mesos-lb"
                            + " (see docs/migrating-from-marathon-lb.md)");
                }
            }
        }
    }
}
