package io.mesoslb.server.proxy.origin;

import io.mesoslb.core.Backend;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTableHolder;

/**
 * Whether a backend an exchange chose is in the live routing table. The pools keep what they make for a backend (its
 * idle queue, its socket address, its HTTP/2 connections) only while it is: {@link BackendPools#tableChanged} has them
 * forget a backend that leaves, once, so an exchange that chose it from a table read before (a retry, a replay, a
 * connect after the swap) must not make it again, or it would stay for good.
 */
final class LiveBackends {
    private final RouteTableHolder routes;

    LiveBackends(RouteTableHolder routes) {
        this.routes = routes;
    }

    /**
     * As {@link BackendPools#tableChanged} sees a backend leave: its route (by app id) no longer has it. Asked on a
     * connect, not for a pooled connection: one volatile read and an app lookup, and only for a route replaced since
     * the exchange read it, a look through its backends.
     */
    boolean contains(Route chosenFrom, Backend backend) {
        Route now = routes.current().routeForApp(chosenFrom.appId());
        return now == chosenFrom || (now != null && now.serves(backend));
    }
}
