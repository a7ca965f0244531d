package io.mesoslb.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the next {@link RouteTable} from what discovery reports, carrying over from the previous
 * table the state that must outlive a swap: each app's round-robin cursor and each remaining
 * backend's health state.
 */
public final class RouteTableBuilder {
    private static final Logger log = LoggerFactory.getLogger(RouteTableBuilder.class);

    private final VhostNaming naming;
    private final Ticker ticker;

    public RouteTableBuilder(VhostNaming naming, Ticker ticker) {
        this.naming = naming;
        this.ticker = ticker;
    }

    /**
     * @param apps what discovery reports now; an id listed twice keeps its first occurrence
     * @param previous the live table, whose cursors and backend states are carried over
     */
    public RouteTable build(Collection<App> apps, RouteTable previous, long version) {
        Map<Backend, BackendState> oldStates = new HashMap<>();
        for (Route r : previous.routes()) {
            for (BackendState s : r.backends()) {
                oldStates.put(s.backend(), s);
            }
        }
        List<App> sorted = new ArrayList<>(apps);
        sorted.sort(Comparator.comparing(App::id));
        Map<String, Route> byHost = new LinkedHashMap<>();
        List<Route> routes = new ArrayList<>(sorted.size());
        String lastId = null;
        for (App app : sorted) {
            if (app.id().equals(lastId)) {
                // Two routes under one id would make routeForApp and the shared cursor ambiguous.
                log.warn("app {} is listed twice; keeping the first", app.id());
                continue;
            }
            lastId = app.id();
            Route old = previous.routeForApp(app.id());
            RoundRobinCursor cursor = old != null ? old.cursor() : new RoundRobinCursor();
            List<Backend> backends = app.backends().stream().distinct().sorted(Comparator.comparing(Backend::taskId)
                    .thenComparing(Backend::address)).toList();
            BackendState[] states = new BackendState[backends.size()];
            for (int i = 0; i < states.length; i++) {
                Backend b = backends.get(i);
                BackendState s = oldStates.get(b);
                states[i] = s != null ? s : new BackendState(b);
            }
            Route route = new Route(app.id(), naming.vhostsFor(app.id(), app.labels()), states, cursor, ticker);
            routes.add(route);
            for (String host : route.vhosts()) {
                Route taken = byHost.putIfAbsent(host, route);
                if (taken != null) {
                    log.warn("vhost {} is claimed by both {} and {}; {} keeps it", host, taken.appId(), app.id(), taken.appId());
                }
            }
        }
        return new RouteTable(version, byHost, routes);
    }
}
