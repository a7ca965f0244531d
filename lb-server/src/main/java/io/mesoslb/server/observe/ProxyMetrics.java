package io.mesoslb.server.observe;

import io.mesoslb.server.transport.ProxyProtocolHandler;

import io.mesoslb.core.BackendState;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.Ticker;
import io.mesoslb.discovery.DiscoveryState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The proxy's meters. Everything the data plane touches per request or connection is registered
 * up front: per-app request counters live in a {@link RouteMeters} created when the app appears in
 * the routing table (and dropped when it leaves), so the hot path is one map lookup by app id, or
 * none when the caller keeps the {@link RouteMeters}. Discovery and routing-table figures are read
 * from their sources at scrape time.
 *
 * <p>Prometheus names: {@code mesoslb_requests_total{app,vhost,status}},
 * {@code mesoslb_request_duration_seconds} (histogram), {@code mesoslb_connections_active},
 * {@code mesoslb_connections_total}, {@code mesoslb_backend_pool_connections{state}},
 * {@code mesoslb_backend_ejections_total{app}}, {@code mesoslb_discovery_*},
 * {@code mesoslb_routing_*}.
 */
public final class ProxyMetrics implements AutoCloseable {
    static final String REQUESTS = "mesoslb.requests";
    static final String EJECTIONS = "mesoslb.backend.ejections";
    /** The app and vhost tag of requests that matched no app (unknown host, health checks). */
    static final String NO_APP = "-";

    private final MeterRegistry registry;
    private final RouteTableHolder routes;
    private final Supplier<DiscoveryState> discovery;
    private final Clock clock;
    private final Ticker ticker;
    private final Timer latency;
    private final RouteMeters unrouted;
    private final ConcurrentHashMap<String, RouteMeters> byApp = new ConcurrentHashMap<>();
    private final LongAdder activeConnections = new LongAdder();
    private final Counter connections;
    private final Counter tableSwaps;
    private final List<Meter> meters = new ArrayList<>();
    private volatile boolean closed;

    public ProxyMetrics(MeterRegistry registry, RouteTableHolder routes, Supplier<DiscoveryState> discovery) {
        this(registry, routes, discovery, Clock.systemUTC(), Ticker.SYSTEM);
    }

    /** @param ticker the time source the routing table's ejections are measured with */
    ProxyMetrics(MeterRegistry registry, RouteTableHolder routes, Supplier<DiscoveryState> discovery, Clock clock,
                 Ticker ticker) {
        this.registry = registry;
        this.routes = routes;
        this.discovery = discovery;
        this.clock = clock;
        this.ticker = ticker;
        this.latency = keep(Timer.builder("mesoslb.request.duration")
                .description("Time from request received to response complete")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry));
        this.unrouted = new RouteMeters(registry, null, List.of(), latency);
        this.connections = keep(Counter.builder("mesoslb.connections").description("Client connections accepted")
                .register(registry));
        keep(Gauge.builder("mesoslb.connections.active", activeConnections, LongAdder::sum)
                .description("Client connections open now").register(registry));
        this.tableSwaps = keep(Counter.builder("mesoslb.routing.table.swaps")
                .description("Routing table snapshots published").register(registry));
        registerRoutingGauges();
        registerDiscoveryMeters();
        tableChanged(routes.current());
        routes.addListener((previous, current) -> {
            if (!closed) {
                tableSwaps.increment();
                tableChanged(current);
            }
        });
    }

    private void registerRoutingGauges() {
        keep(Gauge.builder("mesoslb.routing.table.version", routes, h -> h.current().version())
                .description("Version of the live routing table").register(registry));
        keep(Gauge.builder("mesoslb.routing.apps", routes, h -> h.current().routes().size())
                .description("Apps in the routing table").register(registry));
        keep(Gauge.builder("mesoslb.routing.vhosts", routes, h -> h.current().hostCount())
                .description("Virtual hosts in the routing table").register(registry));
        keep(Gauge.builder("mesoslb.routing.backends", routes, h -> countBackends(h.current(), false))
                .description("Backends in the routing table").register(registry));
        keep(Gauge.builder("mesoslb.routing.backends.ejected", routes, h -> countBackends(h.current(), true))
                .description("Backends currently ejected by passive health checks").register(registry));
    }

    private void registerDiscoveryMeters() {
        keep(FunctionCounter.builder("mesoslb.discovery.events", this, m -> m.discoveryValue(DiscoveryState::events))
                .description("Routing events applied by discovery").register(registry));
        keep(FunctionCounter.builder("mesoslb.discovery.full.syncs", this,
                        m -> m.discoveryValue(DiscoveryState::fullSyncs))
                .description("Full resyncs completed by discovery").register(registry));
        keep(Gauge.builder("mesoslb.discovery.connected", this, m -> m.discoveryFlag(DiscoveryState::connected))
                .description("1 while discovery's source is reachable").register(registry));
        keep(Gauge.builder("mesoslb.discovery.synced", this, m -> m.discoveryFlag(DiscoveryState::synced))
                .description("1 once discovery has published a full sync").register(registry));
        keep(Gauge.builder("mesoslb.discovery.label.problems", this, m -> m.discoveryValue(d -> d.labelProblems().values()
                .stream().mapToInt(List::size).sum()))
                .description("label problems in the last publication: ports kept off the table and labels not honoured")
                .register(registry));
        keep(Gauge.builder("mesoslb.discovery.staleness", this, ProxyMetrics::stalenessSeconds)
                .description("Seconds since discovery last heard from its source (NaN before first contact)")
                .baseUnit("seconds").register(registry));
    }

    private <M extends Meter> M keep(M meter) {
        meters.add(meter);
        return meter;
    }

    /** The meters of an app: keep the result for the life of a request to skip even the map lookup. */
    public RouteMeters route(String appIdOrNull) {
        if (appIdOrNull == null) {
            return unrouted;
        }
        RouteMeters m = byApp.get(appIdOrNull);
        // An app removed while a request to it was in flight: count it as unrouted rather than lose it.
        return m != null ? m : unrouted;
    }

    /** @param appIdOrNull the app the request was routed to, or null when it matched none */
    public void recordRequest(String appIdOrNull, int status, long durationNanos) {
        route(appIdOrNull).record(status, durationNanos);
    }

    public void connectionOpened() {
        activeConnections.increment();
        connections.increment();
    }

    public void connectionClosed() {
        activeConnections.decrement();
    }

    public void backendEjected(String appId) {
        route(appId).ejected();
    }

    /** Exposes the backend connection pool's size; call once, when the pool exists. */
    public synchronized void bindBackendPool(LongSupplier idle, LongSupplier active) {
        keep(Gauge.builder("mesoslb.backend.pool.connections", idle, LongSupplier::getAsLong)
                .description("Pooled connections to backends").tag("state", "idle").strongReference(true).register(registry));
        keep(Gauge.builder("mesoslb.backend.pool.connections", active, LongSupplier::getAsLong)
                .description("Pooled connections to backends").tag("state", "active").strongReference(true).register(registry));
    }

    /** Exposes how many PROXY headers came from untrusted peers; call once, when the listeners take them. */
    public synchronized void bindProxyProtocol(ProxyProtocolHandler handler) {
        // The meter holds its object weakly; the listeners hold the handler for as long as they serve.
        keep(FunctionCounter.builder("mesoslb.proxy.protocol.untrusted", handler, ProxyProtocolHandler::untrustedHeaders)
                .description("PROXY protocol headers from peers outside proxy-protocol-trusted, not believed")
                .register(registry));
    }

    /** Requests per app so far, each indexed 0 = 1xx .. 4 = 5xx; for the status page, not the hot path. */
    public Map<String, long[]> requestCounts() {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, RouteMeters> e : byApp.entrySet()) {
            out.put(e.getKey(), e.getValue().counts());
        }
        return out;
    }

    /** Requests that matched no app, indexed like {@link #requestCounts()}. */
    public long[] unroutedCounts() {
        return unrouted.counts();
    }

    public long activeConnections() {
        return activeConnections.sum();
    }

    private synchronized void tableChanged(RouteTable table) {
        if (closed) {
            return;
        }
        Map<String, Route> live = new LinkedHashMap<>();
        for (Route r : table.routes()) {
            live.put(r.appId(), r);
        }
        byApp.entrySet().removeIf(e -> {
            Route r = live.get(e.getKey());
            boolean gone = r == null || !r.vhosts().equals(e.getValue().vhosts());
            if (gone) {
                e.getValue().removeFrom(registry);
            }
            return gone;
        });
        for (Route r : live.values()) {
            byApp.computeIfAbsent(r.appId(), id -> new RouteMeters(registry, id, r.vhosts(), latency));
        }
    }

    private int countBackends(RouteTable table, boolean ejectedOnly) {
        long now = ticker.nanos();
        int n = 0;
        for (Route r : table.routes()) {
            if (!ejectedOnly) {
                n += r.size();
                continue;
            }
            for (BackendState s : r.backends()) {
                if (s.isEjected(now)) {
                    n++;
                }
            }
        }
        return n;
    }

    private double discoveryValue(ToLongFunction<DiscoveryState> f) {
        DiscoveryState s = discovery.get();
        return s == null ? 0 : f.applyAsLong(s);
    }

    private double discoveryFlag(Predicate<DiscoveryState> f) {
        DiscoveryState s = discovery.get();
        return s != null && f.test(s) ? 1 : 0;
    }

    private double stalenessSeconds() {
        Instant last = DiscoveryContact.last(discovery.get());
        return last == null ? Double.NaN : Duration.between(last, clock.instant()).toMillis() / 1000.0;
    }

    /** Unregisters every meter; the routing listener stays attached but does nothing. */
    @Override
    public synchronized void close() {
        closed = true;
        for (RouteMeters m : byApp.values()) {
            m.removeFrom(registry);
        }
        byApp.clear();
        unrouted.removeFrom(registry);
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
    }
}
