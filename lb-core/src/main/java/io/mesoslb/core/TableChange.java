package io.mesoslb.core;

import java.util.HashSet;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * One publication as its listeners see it: the two tables and what differs between them, so that
 * a listener costs the change, not the cluster. {@code apps} names every app whose {@link Route}
 * object is not the same in both tables (added, removed or replaced; an unchanged app keeps its
 * route object); {@code servicePorts} every service port whose owning route is not the same.
 * Either set may name more than changed, never less.
 */
public record TableChange(RouteTable previous, RouteTable current, Set<String> apps, Set<Integer> servicePorts) {
    public TableChange {
        apps = Set.copyOf(apps);
        servicePorts = Set.copyOf(servicePorts);
    }

    /** Everything in either table counts as changed: for a listener's first look at a table. */
    public static TableChange whole(RouteTable previous, RouteTable current) {
        Set<String> apps = new HashSet<>();
        Set<Integer> ports = new HashSet<>();
        for (RouteTable t : new RouteTable[] {previous, current}) {
            for (Route r : t.routes()) {
                apps.add(r.appId());
            }
            ports.addAll(t.servicePorts().keySet());
        }
        return new TableChange(previous, current, apps, ports);
    }

    /** Calls {@code visit(before, after)} for each app whose route object differs; either may be null. */
    public void forEachChangedRoute(BiConsumer<Route, Route> visit) {
        for (String id : apps) {
            Route before = previous.routeForApp(id);
            Route after = current.routeForApp(id);
            if (before != after) {
                visit.accept(before, after);
            }
        }
    }
}
