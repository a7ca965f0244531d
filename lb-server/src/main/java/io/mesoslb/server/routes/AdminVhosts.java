package io.mesoslb.server.routes;

import io.mesoslb.core.App;
import io.mesoslb.core.Backend;
import io.mesoslb.discovery.AgentAddresses;
import io.mesoslb.core.RouteSpec;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The classic Mesos load balancer's admin vhosts: {@code marathon.admin.<domain>} and
 * {@code mesos.admin.<domain>} lead to the Marathon and Mesos masters. They are routed as ordinary
 * apps with the masters as backends, so round robin, connect retry and passive ejection move
 * requests off a master that is down; the proxy lets only allow-listed clients through.
 *
 * <p>Their app ids start with {@value #APP_ID_PREFIX}, which no Marathon app id can (Marathon allows
 * only lower-case letters, digits, dashes and dots in a path segment).
 */
public final class AdminVhosts {
    public static final String APP_ID_PREFIX = "/_admin/";
    public static final String MARATHON_APP = APP_ID_PREFIX + "marathon";
    public static final String MESOS_APP = APP_ID_PREFIX + "mesos";

    private AdminVhosts() {
    }

    /**
     * The admin apps for {@code domain}; none without a domain. Only http masters can be proxied to,
     * so https URLs are left out.
     */
    public static List<App> apps(String domain, List<URI> marathonMasters, List<URI> mesosMasters) {
        List<App> apps = new ArrayList<>(2);
        if (domain == null) {
            return apps;
        }
        // Resolved once, here at start-up: the masters' names are configuration, not churn.
        AgentAddresses resolver = new AgentAddresses();
        add(apps, MARATHON_APP, "marathon.admin." + domain, marathonMasters, 8080, resolver);
        add(apps, MESOS_APP, "mesos.admin." + domain, mesosMasters, 5050, resolver);
        return apps;
    }

    public static boolean isAdminApp(String appId) {
        return appId.startsWith(APP_ID_PREFIX);
    }

    private static void add(List<App> apps, String appId, String vhost, List<URI> masters, int defaultPort,
                            AgentAddresses resolver) {
        List<Backend> backends = new ArrayList<>(masters.size());
        for (URI m : masters) {
            if ("http".equals(m.getScheme()) && m.getHost() != null) {
                int port = m.getPort() > 0 ? m.getPort() : defaultPort;
                Backend b = resolver.resolve(new Backend(m.getHost(), port, "master-" + m.getHost() + ":" + port, appId));
                if (!backends.contains(b)) {
                    backends.add(b);
                }
            }
        }
        if (!backends.isEmpty()) {
            apps.add(new App(appId, RouteSpec.forHosts(vhost), backends));
        }
    }
}
