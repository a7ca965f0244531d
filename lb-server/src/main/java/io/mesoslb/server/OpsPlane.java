package io.mesoslb.server;

import io.mesoslb.server.service.PortStatus;

import io.mesoslb.server.admin.AdminServer;
import io.mesoslb.server.admin.HealthCheckResponder;
import io.mesoslb.server.admin.ReadinessState;
import io.mesoslb.server.auth.BasicAuthGate;
import io.mesoslb.server.observe.AccessLog;
import io.mesoslb.server.observe.MeteredOutcomes;
import io.mesoslb.server.observe.PrometheusNames;
import io.mesoslb.server.observe.ProxyMetrics;
import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.proxy.ProxyOps;
import io.mesoslb.server.proxy.origin.BackendPools;
import io.mesoslb.server.routes.HostlessRoutes;
import io.mesoslb.server.transport.ClientAddressResolver;
import io.mesoslb.server.transport.ProxyProtocolHandler;

import io.micrometer.core.instrument.FunctionCounter;
import io.mesoslb.core.EjectionEvent;
import io.mesoslb.core.EjectionListener;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.discovery.DiscoveryState;
import io.mesoslb.server.config.OpsSettings;
import io.mesoslb.server.config.ServerConfig;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations side of one {@link LbServer}: the metrics registry and the proxy's meters, the
 * readiness behind both health checks, the access log and the admin listener.
 */
final class OpsPlane implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OpsPlane.class);

    private final ServerConfig config;
    private final RouteTableHolder routes;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private volatile Supplier<DiscoveryState> discovery = () -> null;
    private volatile Supplier<Map<Integer, PortStatus>> servicePorts = Map::of;
    private final Supplier<DiscoveryState> discoveryView = () -> discovery.get();
    private final ReadinessState readiness;
    private final ProxyMetrics metrics;
    private final ProxyOps proxyOps;
    private final AccessLog accessLog;
    private final HostlessRoutes hostless;
    private AdminServer admin;
    private boolean closed;

    OpsPlane(ServerConfig config, RouteTableHolder routes) {
        this.config = config;
        this.routes = routes;
        OpsSettings ops = config.ops();
        this.readiness = new ReadinessState(discoveryView, ops.healthMaxStaleness(), Clock.systemUTC());
        // Before any meter registers: names that promtool check metrics rejects are renamed or replaced.
        registry.config().meterFilter(PrometheusNames.filter());
        this.metrics = new ProxyMetrics(registry, routes, discoveryView);
        // Before discovery's first table, so that apps no Host leads to are warned about at start.
        this.hostless = HostlessRoutes.watch(routes, config.domain());
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        PrometheusNames.bindProcessCpuSeconds(registry);
        gcMetrics.bindTo(registry);
        this.accessLog = ops.accessLog() ? AccessLog.create(ops.accessLogJson(), ops.accessLogFile(),
                ops.accessLogRotation()) : null;
        this.proxyOps = new ProxyOps(metrics, accessLog,
                new HealthCheckResponder(readiness), ops.healthPath(), new ClientAddressResolver(ops.trustedProxies()),
                ops.adminAllow(), proxyProtocol(ops, metrics), null, BasicAuthGate.create());
        // A full hashing queue answers 503 to credentials not yet known good: an attack, or too slow a hash.
        FunctionCounter.builder("mesoslb.auth.queue.full", proxyOps.auth(), BasicAuthGate::queueFullCount)
                .description("basic-auth checks answered 503 because the hashing queue was full").register(registry);
    }

    private static ProxyProtocolHandler proxyProtocol(OpsSettings ops, ProxyMetrics metrics) {
        if (!ops.proxyProtocol()) {
            return null;
        }
        ProxyProtocolHandler handler = new ProxyProtocolHandler(ops.proxyProtocolTrusted());
        metrics.bindProxyProtocol(handler);
        return handler;
    }

    /** Where the admin pages read how the service ports stand; set before the admin server starts. */
    void servicePorts(Supplier<Map<Integer, PortStatus>> status) {
        servicePorts = status;
    }

    void discovery(Supplier<DiscoveryState> state) {
        discovery = state;
    }

    ReadinessState readiness() {
        return readiness;
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    ProxyOps proxyOps() {
        return proxyOps;
    }

    /** Counts ejections per app in the metrics. */
    EjectionListener ejectionListener() {
        return event -> {
            if (event.kind() == EjectionEvent.Kind.EJECTED) {
                metrics.backendEjected(event.backend().appId());
            }
        };
    }

    /** Counts per-backend attempts and errors and per-app retries, then hands each outcome to {@code next}. */
    BackendOutcomes metered(BackendOutcomes next) {
        return new MeteredOutcomes(metrics, next);
    }

    void bindPools(BackendPools pools) {
        metrics.bindBackendPool(pools::idleConnections, pools::activeConnections);
    }

    /** Starts the admin listener unless it is disabled; returns its address, or null. */
    synchronized InetSocketAddress startAdmin(Supplier<String> transport) {
        if (config.adminPort() < 0) {
            return null;
        }
        admin = new AdminServer(new InetSocketAddress(config.adminHost(), config.adminPort()), routes, discoveryView,
                readiness, registry, metrics, transport);
        admin.servicePorts(servicePorts);
        admin.unroutable(hostless::snapshot);
        try {
            admin.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the admin server", e);
        }
        return admin.localAddress();
    }

    synchronized InetSocketAddress adminAddress() {
        return admin == null ? null : admin.localAddress();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (admin != null) {
            admin.close();
            admin = null;
        }
        if (proxyOps.auth() != null) {
            proxyOps.auth().close();
        }
        metrics.close();
        if (accessLog != null) {
            accessLog.close();
        }
        gcMetrics.close();
        registry.close();
        log.debug("admin plane stopped");
    }
}
