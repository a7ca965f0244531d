package io.mesoslb.server.tls;

import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.RouteTableHolder;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With no TLS listener configured, routes' own certificates have nowhere to be served: each app
 * that names one is warned about once (while it keeps naming it), rather than the label being
 * ignored silently.
 */
public final class IgnoredCertificates implements RouteTableHolder.Listener {
    private static final Logger log = LoggerFactory.getLogger(IgnoredCertificates.class);

    private final RouteCertificates.ProblemsSaid said = new RouteCertificates.ProblemsSaid();

    @Override
    public synchronized void tableChanged(RouteTable previous, RouteTable current) {
        Set<String> named = new HashSet<>();
        for (Route route : current.routes()) {
            String path = route.options().sslCert();
            if (path == null) {
                continue;
            }
            String key = RouteCertificates.ProblemsSaid.key(route.appId(), path, "");
            named.add(key);
            if (said.firstTime(key)) {
                log.warn("app {}: certificate file {} ignored: there is no https listener (configure https-port"
                        + " and tls-certificates)", route.appId(), path);
            }
        }
        said.retainOnly(named);
    }
}
