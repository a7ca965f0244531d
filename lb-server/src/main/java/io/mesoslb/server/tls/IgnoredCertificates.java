package io.mesoslb.server.tls;

import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.TableChange;
import io.mesoslb.core.RouteTableHolder;
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

    /**
     * Looks only at the routes the publication changed: an unchanged app keeps its Route object, and
     * this runs on discovery's thread for every publication, so it must cost the change, not the table.
     */
    @Override
    public synchronized void tableChanged(TableChange change) {
        change.forEachChangedRoute((before, now) -> {
            if (before != null && before.options().sslCert() != null
                    && (now == null || !before.options().sslCert().equals(now.options().sslCert()))) {
                // Named no more: should it be named again, that is said again.
                said.forget(key(before));
            }
        });
        change.forEachChangedRoute((before, route) -> {
            if (route != null && route.options().sslCert() != null && said.firstTime(key(route))) {
                log.warn("app {}: certificate file {} ignored: there is no https listener (configure https-port"
                        + " and tls-certificates)", route.appId(), route.options().sslCert());
            }
        });
    }

    private static String key(Route route) {
        return RouteCertificates.ProblemsSaid.key(route.appId(), route.options().sslCert(), "");
    }
}
