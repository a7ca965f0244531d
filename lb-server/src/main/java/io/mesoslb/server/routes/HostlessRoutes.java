package io.mesoslb.server.routes;

import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.TableChange;
import java.util.List;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apps no request reaches by Host for want of a name ({@link Route#hostless()}): no vhost label,
 * and no {@code domain} to derive one under (or an id that makes no valid name under it). Such an
 * app starts and serves nothing by Host, silently, unless someone says so: this says it in one
 * warning each time the set of such apps changes (not on every table), and lists them for
 * {@code /routes} and the status page.
 */
public final class HostlessRoutes implements RouteTableHolder.Listener {
    /**
     * What is listed.
     *
     * @param domain the domain host names are derived under; null when none is set
     * @param appIds the hostless apps' ids, sorted
     */
    public record Snapshot(String domain, List<String> appIds) {
    }

    /** How many ids a warning names; the rest are counted, and all are in {@code /routes}. */
    static final int NAMED_IN_LOG = 5;

    private static final Logger log = LoggerFactory.getLogger(HostlessRoutes.class);

    private final String domain;
    /** Guarded by this. */
    private final TreeSet<String> ids = new TreeSet<>();
    private volatile Snapshot snapshot;

    /** @param domain the configured domain, or null */
    HostlessRoutes(String domain) {
        this.domain = domain;
        this.snapshot = new Snapshot(domain, List.of());
    }

    /** Follows {@code routes} from its current table on. */
    public static HostlessRoutes watch(RouteTableHolder routes, String domain) {
        HostlessRoutes hostless = new HostlessRoutes(domain);
        routes.addListenerFromCurrent(hostless);
        return hostless;
    }

    /** The hostless apps as of the last table. */
    public Snapshot snapshot() {
        return snapshot;
    }

    /**
     * Looks only at the routes the publication changed: an unchanged app keeps its Route object, and
     * this runs on discovery's thread for every publication, so it must cost the change, not the table.
     */
    @Override
    public synchronized void tableChanged(TableChange change) {
        boolean[] changed = {false};
        change.forEachChangedRoute((before, now) -> {
            if (before != null && before.hostless() && (now == null || !now.hostless())) {
                changed[0] |= ids.remove(before.appId());
            }
            if (now != null && now.hostless()) {
                changed[0] |= ids.add(now.appId());
            }
        });
        if (changed[0]) {
            snapshot = new Snapshot(domain, List.copyOf(ids));
            say();
        }
    }

    private void say() {
        if (ids.isEmpty()) {
            log.info("every app has a host name again");
            return;
        }
        List<String> named = ids.stream().limit(NAMED_IN_LOG).toList();
        String more = ids.size() > named.size() ? " and " + (ids.size() - named.size()) + " more" : "";
        String why = domain == null ? "no domain is set and they have no vhost label"
                : "they have no vhost label and their ids make no valid host name under " + domain;
        log.warn("{} app{} no request reaches by Host: {} ({}{}); set domain or give them a vhost label (a service"
                        + " port or the app-id port still reaches them; all are listed under unroutable in /routes)",
                ids.size(), ids.size() == 1 ? "" : "s", why, String.join(", ", named), more);
    }
}
