package io.mesoslb.server.observe;

import io.mesoslb.server.proxy.RetryKind;
import io.mesoslb.server.transport.ProxyProtocolHandler;

import io.mesoslb.core.Backend;
import io.mesoslb.core.BackendState;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.TableChange;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.Ticker;
import io.mesoslb.discovery.DiscoveryState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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
 * The proxy's meters. Per-app request counters live in a {@link RouteMeters} registered at the app's
 * first request (or retry or ejection) while it is in the routing table, and dropped when it leaves, so
 * the hot path is one map lookup by app id, or none when the caller keeps the {@link RouteMeters}.
 * Discovery and routing-table figures are read from their sources at scrape time.
 *
 * <p>Prometheus names: {@code mesoslb_requests_total{app,vhost,status}} (status: the exact code
 * for common codes, else the class; see {@link StatusLabel}), {@code mesoslb_request_duration_seconds{app}}
 * (histogram, fixed buckets), {@code mesoslb_retries_total{app,kind}}, {@code mesoslb_backend_ejections_total{app}},
 * {@code mesoslb_backend_requests_total{app,backend}} and {@code mesoslb_backend_errors_total{app,backend}}
 * (only while the backend is in the table), {@code mesoslb_label_problems{app}}, {@code mesoslb_build_info{version,commit}},
 * {@code mesoslb_connections_active}, {@code mesoslb_connections_total}, {@code mesoslb_backend_pool_connections{state}},
 * {@code mesoslb_discovery_*}, {@code mesoslb_routing_*}. Requests that matched no app carry {@code app=""}.
 *
 * <p>Cardinality: every per-app and per-backend series is registered at its app's or backend's first
 * request while it is in the routing table and removed when it leaves, so the series count is bounded by
 * the table, never by the traffic. An app without requests has no series (the status page still lists it,
 * with zeros).
 */
public final class ProxyMetrics implements AutoCloseable {
    static final String REQUESTS = "mesoslb.requests";
    static final String DURATION = "mesoslb.request.duration";
    static final String EJECTIONS = "mesoslb.backend.ejections";
    static final String RETRIES = "mesoslb.retries";
    static final String BACKEND_REQUESTS = "mesoslb.backend.requests";
    static final String BACKEND_ERRORS = "mesoslb.backend.errors";
    static final String LABEL_PROBLEMS = "mesoslb.label.problems";
    /**
     * The app and vhost tag of requests that matched no app (unknown host, health checks): empty,
     * which Prometheus reads as no label, so no app id can be mistaken for it.
     */
    static final String NO_APP = "";

    /** The requests and errors of one backend, while it is in the table. */
    private record BackendMeters(Counter requests, Counter errors) {
    }

    private final MeterRegistry registry;
    private final RouteTableHolder routes;
    private final Supplier<DiscoveryState> discovery;
    private final Clock clock;
    private final Ticker ticker;
    private final RouteMeters unrouted;
    private final ConcurrentHashMap<String, RouteMeters> byApp = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Backend, BackendMeters> byBackend = new ConcurrentHashMap<>();
    private final Map<String, Gauge> labelProblems = new LinkedHashMap<>();
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
        this.unrouted = new RouteMeters(registry, null, List.of());
        keep(Gauge.builder("mesoslb.build.info", () -> 1)
                .description("The running build: always 1, its version and git commit in the labels")
                .tags("version", BuildInfo.version(), "commit", BuildInfo.commit())
                .register(registry));
        this.connections = keep(Counter.builder("mesoslb.connections").description("Client connections accepted")
                .register(registry));
        keep(Gauge.builder("mesoslb.connections.active", activeConnections, LongAdder::sum)
                .description("Client connections open now").register(registry));
        this.tableSwaps = keep(Counter.builder("mesoslb.routing.table.swaps")
                .description("Routing table snapshots published").register(registry));
        registerRoutingGauges();
        registerDiscoveryMeters();
        // Swaps are counted from here on; the live table handed over below is not one.
        routes.addListener(change -> {
            if (!closed) {
                tableSwaps.increment();
            }
        });
        routes.addListenerFromCurrent(change -> {
            if (!closed) {
                tableChanged(change);
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
        return m != null ? m : firstRequest(appIdOrNull);
    }

    /**
     * An app's meters are registered at its first request, not when it enters the table: a Timer with its
     * buckets per app, for 10,000 apps at the first sync, held the publishing thread (and so the next table)
     * for about a second, mostly for apps this balancer may never serve. Once per app, on the event loop;
     * an app no longer in the table (removed while a request to it was in flight) is counted as unrouted.
     */
    private RouteMeters firstRequest(String appId) {
        while (!closed) {
            Route route = routes.current().routeForApp(appId);
            if (route == null) {
                break;
            }
            RouteMeters m = byApp.computeIfAbsent(appId, id -> new RouteMeters(registry, id, route.vhosts()));
            Route now = routes.current().routeForApp(appId);
            if (now != null && now.vhosts().equals(m.vhosts())) {
                return m;
            }
            // A table published meanwhile dropped the app or changed its vhosts, and its listener may have
            // looked before this registration: take it back, and try once more against the newer table.
            if (byApp.remove(appId, m)) {
                m.removeFrom(registry);
            }
        }
        return unrouted;
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

    /** A request or connection of this app was sent to a backend once more. */
    public void retried(String appId, RetryKind kind) {
        route(appId).retried(kind);
    }

    /**
     * One attempt on a backend ended: {@code error} when it failed (connect failure, reset, timeout)
     * or answered 5xx. Not counted for a backend no longer in the table.
     */
    public void backendOutcome(Backend backend, boolean error) {
        BackendMeters m = byBackend.get(backend);
        if (m == null && (m = firstOutcome(backend)) == null) {
            return;
        }
        m.requests.increment();
        if (error) {
            m.errors.increment();
        }
    }

    /**
     * A backend's series are registered at its first attempt, not when it enters the table: a cluster
     * of 100,000 tasks would otherwise cost 200,000 series and seconds of registration on the publishing
     * thread, most of them for backends this balancer never sends to. Once per backend, on the event loop.
     */
    private BackendMeters firstOutcome(Backend backend) {
        if (closed || !inTable(backend)) {
            return null;
        }
        BackendMeters m = byBackend.computeIfAbsent(backend, this::backendMeters);
        if (!inTable(backend) && byBackend.remove(backend, m)) {
            // Dropped by a table published meanwhile, whose removal may have looked before this registration.
            registry.remove(m.requests);
            registry.remove(m.errors);
            return null;
        }
        return m;
    }

    private boolean inTable(Backend backend) {
        Route route = routes.current().routeForApp(backend.appId());
        return route != null && route.serves(backend);
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

    /**
     * Requests so far of every app in the table, each indexed 0 = 1xx .. 4 = 5xx (zeros for an app without
     * requests, which has no meters yet); for the status page, not the hot path.
     */
    public Map<String, long[]> requestCounts() {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (Route r : routes.current().routes()) {
            RouteMeters m = byApp.get(r.appId());
            out.put(r.appId(), m == null ? new long[RouteMeters.STATUS_CLASSES.size()] : m.counts());
        }
        return out;
    }

    /**
     * Estimated quantiles of an app's request latency in seconds, from its histogram's buckets since
     * its first request (NaN each while it has no requests); null for an app not in the table.
     * For the status page, not the hot path.
     */
    public double[] latencyQuantiles(String appId, double... quantiles) {
        RouteMeters m = byApp.get(appId);
        if (m != null) {
            return m.latencyQuantiles(quantiles);
        }
        if (routes.current().routeForApp(appId) == null) {
            return null;
        }
        double[] none = new double[quantiles.length];
        Arrays.fill(none, Double.NaN);
        return none;
    }

    /**
     * A backend's attempts and failed attempts so far ({@code {requests, errors}}), as counted in
     * {@code mesoslb_backend_requests_total} and {@code mesoslb_backend_errors_total} (zeros before its
     * first attempt, which is when its series are registered). For the status page, not the hot path.
     */
    public long[] backendCounts(Backend backend) {
        BackendMeters m = byBackend.get(backend);
        return m == null ? new long[2] : new long[] {(long) m.requests.count(), (long) m.errors.count()};
    }

    /** Requests that matched no app, indexed like {@link #requestCounts()}. */
    public long[] unroutedCounts() {
        return unrouted.counts();
    }

    public long activeConnections() {
        return activeConnections.sum();
    }

    /**
     * Drops the meters of an app that left the table or changed its vhosts (the next request registers them
     * anew), and a backend's when it leaves. Publications are incremental and an unchanged app keeps its
     * Route object, so only the routes that are not the same object are looked into: this runs on
     * discovery's thread for every publication.
     */
    private synchronized void tableChanged(TableChange change) {
        if (closed) {
            return;
        }
        change.forEachChangedRoute((before, now) -> {
            if (before == null) {
                return;
            }
            if (now == null || !now.vhosts().equals(before.vhosts())) {
                RouteMeters gone = byApp.remove(before.appId());
                if (gone != null) {
                    gone.removeFrom(registry);
                }
            }
            for (BackendState s : before.backends()) {
                if (now == null || !now.serves(s.backend())) {
                    BackendMeters gone = byBackend.remove(s.backend());
                    if (gone != null) {
                        registry.remove(gone.requests);
                        registry.remove(gone.errors);
                    }
                }
            }
        });
        labelProblemsChanged();
    }

    private BackendMeters backendMeters(Backend x) {
        return new BackendMeters(
                Counter.builder(BACKEND_REQUESTS)
                        .description("Attempts on a backend (requests and TCP connections, retries included)")
                        .tags("app", x.appId(), "backend", x.address()).register(registry),
                Counter.builder(BACKEND_ERRORS)
                        .description("Attempts on a backend that failed (connect, reset, timeout) or answered 5xx")
                        .tags("app", x.appId(), "backend", x.address()).register(registry));
    }

    /** One gauge per app with label problems in the last publication, refreshed at each table swap. */
    private void labelProblemsChanged() {
        DiscoveryState d = discovery.get();
        Map<String, List<String>> now = d == null ? Map.of() : d.labelProblems();
        labelProblems.entrySet().removeIf(e -> {
            boolean gone = !now.containsKey(e.getKey());
            if (gone) {
                registry.remove(e.getValue());
            }
            return gone;
        });
        for (String app : now.keySet()) {
            labelProblems.computeIfAbsent(app, id -> Gauge.builder(LABEL_PROBLEMS, this, m -> m.labelProblemCount(id))
                    .description("label problems of an app in the last publication: ports kept off the table and "
                            + "labels not honoured (unsupported or malformed)")
                    .tags("app", id).register(registry));
        }
    }

    private double labelProblemCount(String appId) {
        DiscoveryState d = discovery.get();
        List<String> problems = d == null ? null : d.labelProblems().get(appId);
        return problems == null ? 0 : problems.size();
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
        for (BackendMeters m : byBackend.values()) {
            registry.remove(m.requests);
            registry.remove(m.errors);
        }
        byBackend.clear();
        for (Gauge g : labelProblems.values()) {
            registry.remove(g);
        }
        labelProblems.clear();
        unrouted.removeFrom(registry);
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
    }
}
