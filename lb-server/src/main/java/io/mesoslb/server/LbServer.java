package io.mesoslb.server;

import io.mesoslb.server.admin.ReadinessState;
import io.mesoslb.server.config.ServerConfig;
import io.mesoslb.server.config.ServicePortSettings;
import io.mesoslb.server.health.EjectionLog;
import io.mesoslb.server.health.HealthSweeper;
import io.mesoslb.server.health.PassiveHealth;
import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.proxy.ProxyOps;
import io.mesoslb.server.proxy.client.ClientChannelInitializer;
import io.mesoslb.server.proxy.origin.BackendPools;
import io.mesoslb.server.routes.AdminVhosts;
import io.mesoslb.server.routes.RouteFinder;
import io.mesoslb.server.service.ServicePortListeners;
import io.mesoslb.server.service.ServicePorts;
import io.mesoslb.server.tls.AlpnOffer;
import io.mesoslb.server.tls.IgnoredCertificates;
import io.mesoslb.server.tls.RouteCertificates;
import io.mesoslb.server.tls.SniContexts;
import io.mesoslb.server.transport.Buffers;
import io.mesoslb.server.transport.ConnectionLimit;
import io.mesoslb.server.transport.MaxConnections;
import io.mesoslb.server.transport.Transport;

import io.mesoslb.core.OutlierDetector;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.discovery.DiscoveryState;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's listening sockets (HTTP; HTTPS when certificates are configured; HTTP routed by
 * {@code X-Marathon-App-Id} when {@code app-id-port} is set), its event loops,
 * its backend pools and its admin plane. Startable and stoppable in-process; the routing comes from
 * the {@link RouteTableHolder} passed in, which the caller keeps current.
 */
public final class LbServer implements AutoCloseable {
    /**
     * On shutdown, how long a keep-alive connection between requests may still send one: long
     * enough for a request already on the wire, short enough not to hold the exit up.
     */
    public static final Duration IDLE_LINGER = Duration.ofSeconds(1);

    /** How often routes' certificate files are looked at for a renewal between table swaps. */
    static final Duration CERTIFICATE_RECHECK = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(LbServer.class);

    private final ServerConfig config;
    private final RouteTableHolder routes;
    private final BackendOutcomes outcomes;
    private final OpsPlane ops;
    // Written once by start(); volatile so that getters never wait for a close() in progress.
    private volatile Transport transport;
    private volatile EventLoopGroup boss;
    private volatile EventLoopGroup workers;
    private volatile BackendPools pools;
    private volatile ChannelGroup clients;
    private volatile InetSocketAddress localAddress;
    private Channel serverChannel;
    private volatile Channel httpsChannel;
    private volatile Channel appIdChannel;
    private volatile ServicePortListeners servicePorts;
    private final CountDownLatch drainCut = new CountDownLatch(1);
    private boolean closed;
    // resilience: passive health
    private final EjectionLog ejections = new EjectionLog();
    private volatile HealthSweeper sweeper;
    private volatile RouteCertificates routeCertificates;

    public LbServer(ServerConfig config, RouteTableHolder routes) {
        this(config, routes, BackendOutcomes.NONE);
    }

    public LbServer(ServerConfig config, RouteTableHolder routes, BackendOutcomes outcomes) {
        this.config = config;
        this.routes = routes;
        this.outcomes = outcomes;
        this.ops = new OpsPlane(config, routes);
        ejections.addListener(ops.ejectionListener());
    }

    /** Binds the proxy port; returns once it accepts connections. */
    public synchronized LbServer start() {
        if (serverChannel != null || closed) {
            throw new IllegalStateException("already started");
        }
        transport = Transport.select(config.forceNio());
        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("mesos-lb-accept"),
                transport.ioHandlerFactory());
        workers = new MultiThreadIoEventLoopGroup(config.workerThreads(), new DefaultThreadFactory("mesos-lb-io"),
                transport.ioHandlerFactory());
        pools = new BackendPools(workers, transport, config.proxy(), routes);
        routes.addListener(pools);
        clients = new DefaultChannelGroup("mesos-lb-clients", GlobalEventExecutor.INSTANCE);
        ops.bindPools(pools);
        routes.setStaticApps(AdminVhosts.apps(config.domain(), config.marathonUrls(), config.ops().mesosUrls()));
        ProxyOps proxyOps = ops.proxyOps();
        // Outcomes feed passive health first, then the listener given to the constructor.
        // The routes' clock: a route takes a backend back when its ejection ends by the time the detector set.
        OutlierDetector detector = new OutlierDetector(config.outlier(), routes.ticker(), ejections);
        BackendOutcomes reported = new PassiveHealth(routes, detector, ops.metered(outcomes));
        MaxConnections limit = MaxConnections.decide(config.maxConnections(), MaxConnections.processDescriptorLimit());
        ConnectionLimit connectionLimit = limit.max() > 0 ? new ConnectionLimit(limit) : null;
        if (connectionLimit != null) {
            log.info("at most {} client connections at once ({}); more wait in the accept queue", limit.max(),
                    limit.source());
        } else {
            log.info("no limit on client connections ({})", limit.source());
        }
        // Every listener accepts on the accept thread, which hands each connection to a worker. Accepting on a worker
        // loop instead cost about 0.8x the CPU per new connection, but under Netty 4.2.18's epoll transport it lost
        // connections: now and then a client's socket was no longer in its loop's epoll set when the client was read
        // again (epoll_ctl ENOENT), and the connection closed unanswered (MixedTrafficTest at 3,000 conversations
        // failed in about one run in five; benchmarks/load/README.md, "A new connection's cost"). Binding and closing
        // the service ports' listeners as the table changes is control work kept off the serving loops here as well.
        ServerBootstrap bootstrap = listenerBootstrap(connectionLimit)
                .childHandler(new ClientChannelInitializer(routes, RouteFinder.byHost(config.proxy().defaultApp()), pools,
                        config.proxy(), reported, clients, proxyOps, config.http2()));
        // Each service port's listener gets its own child handler.
        ServerBootstrap servicePortBootstrap = listenerBootstrap(connectionLimit);
        try {
            serverChannel = bind(bootstrap, config.listenPort());
            localAddress = (InetSocketAddress) serverChannel.localAddress();
            if (config.ops().tls()) {
                SniContexts sni = SniContexts.load(config.ops().tlsCertificates(), AlpnOffer.of(config.http2().overTls()));
                routeCertificates = RouteCertificates.start(sni, routes, CERTIFICATE_RECHECK);
                ProxyOps tls = proxyOps.withTls(sni);
                httpsChannel = bind(bootstrap.clone().childHandler(new ClientChannelInitializer(routes,
                        RouteFinder.byHost(config.proxy().defaultApp()), pools, config.proxy(), reported, clients, tls,
                        config.http2())), config.ops().httpsPort());
                log.info("mesos-lb TLS listening on {} ({})", httpsChannel.localAddress(),
                        sni.offersH2() ? "ALPN: h2, http/1.1" : "HTTP/1 only");
            } else {
                routes.addListenerFromCurrent(new IgnoredCertificates());
            }
            if (config.appIdPort() >= 0) {
                // The same pipeline and client group (so drain and close cover it); only the routing differs.
                appIdChannel = bind(bootstrap.clone().childHandler(new ClientChannelInitializer(routes,
                        RouteFinder.byAppId(), pools, config.proxy(), reported, clients, proxyOps, config.http2())),
                        config.appIdHost(), config.appIdPort());
                log.info("mesos-lb routing by X-Marathon-App-Id on {}", appIdChannel.localAddress());
            }
            ServicePortSettings sp = config.servicePorts();
            if (sp.enabled()) {
                servicePorts = ServicePorts.open(servicePortBootstrap, sp.bindHost(), sp.range(), sp.drain(), routes, pools,
                        config.proxy(), reported, clients, proxyOps, ops.registry(), config.workerThreads());
                ops.servicePorts(servicePorts::status);
            }
            ops.readiness().proxyListening();
            ops.startAdmin(() -> transport.name());
        } catch (RuntimeException e) {
            if (serverChannel != null) {
                serverChannel.close().awaitUninterruptibly();
            }
            closeRouteCertificates();
            shutdownLoops();
            ops.close();
            closed = true;
            throw e;
        }
        sweeper = HealthSweeper.start(detector, routes, HealthSweeper.intervalFor(config.outlier().baseEjectionTime()));
        log.info("mesos-lb proxy listening on {} ({} transport, {} worker threads{})", localAddress(), transport.name(),
                config.workerThreads(), config.http2().priorKnowledge() ? ", h2c by prior knowledge" : "");
        return this;
    }

    /** A listener's bootstrap, accepting on the accept thread, its connections served by the workers. */
    private ServerBootstrap listenerBootstrap(ConnectionLimit connectionLimit) {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                // No TCP_NODELAY: Netty turns it on as it makes each socket, and asking again was a setsockopt per
                // connection (NoDelayTest reads it back from the kernel).
                .childOption(ChannelOption.ALLOCATOR, Buffers.ALLOCATOR)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, ClientChannelInitializer.readSizes())
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.proxy().writeBufferLow(), config.proxy().writeBufferHigh()));
        return connectionLimit == null ? b : b.handler(connectionLimit);
    }

    private Channel bind(ServerBootstrap bootstrap, int port) {
        return bind(bootstrap, config.listenHost(), port);
    }

    private static Channel bind(ServerBootstrap bootstrap, String host, int port) {
        ChannelFuture bound = bootstrap.bind(host, port).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("cannot listen on " + host + ":" + port, bound.cause());
        }
        return bound.channel();
    }

    /** Where discovery's state comes from, for health, metrics and the admin pages. */
    public LbServer discoveryState(Supplier<DiscoveryState> state) {
        ops.discovery(state);
        return this;
    }

    /** The health verdict: STARTING until listening and synced (see {@link ReadinessState}), DRAINING on shutdown. */
    public ReadinessState readiness() {
        return ops.readiness();
    }

    /** The registry {@code /metrics} serves. */
    public PrometheusMeterRegistry meterRegistry() {
        return ops.registry();
    }

    /** The admin listener's address, or null when it is disabled or not started. */
    public InetSocketAddress adminAddress() {
        return ops.adminAddress();
    }

    /** The TLS listener's port. */
    public int httpsPort() {
        Channel c = httpsChannel;
        if (c == null) {
            throw new IllegalStateException("no TLS listener");
        }
        return ((InetSocketAddress) c.localAddress()).getPort();
    }

    /** The app-id listener's port (the actual one when configured with 0). */
    public int appIdPort() {
        Channel c = appIdChannel;
        if (c == null) {
            throw new IllegalStateException("no app-id listener");
        }
        return ((InetSocketAddress) c.localAddress()).getPort();
    }

    /** The bound address (the actual port when configured with 0). */
    public InetSocketAddress localAddress() {
        InetSocketAddress a = localAddress;
        if (a == null) {
            throw new IllegalStateException("not started");
        }
        return a;
    }

    public int port() {
        return localAddress().getPort();
    }

    public Transport transport() {
        return transport;
    }

    /** The service ports and how each stands; null when they are off. */
    public ServicePortListeners servicePorts() {
        return servicePorts;
    }

    /** The backend connection pools; exposed for diagnostics and tests. */
    public BackendPools pools() {
        return pools;
    }

    /**
     * Ejections and returns of backends by passive health: counts, and a hook for more listeners
     * (metrics). Backends' current health is on the routing table's {@code BackendState}s.
     */
    public EjectionLog ejections() {
        return ejections;
    }

    /** Client connections open right now. */
    public ChannelGroup clients() {
        return clients;
    }

    /**
     * The SIGTERM sequence: health checks fail at once, traffic is still served for the drain
     * period so that balancers notice and move away, then the server {@linkplain #close(Duration)
     * closes} with idle connections given {@link #IDLE_LINGER} to send one last request.
     */
    public void drainAndClose() {
        // An instance that never became ready never passed the balancer's health check: no traffic
        // to move away, so no drain period to wait (it held every failed start up for the full period).
        boolean wasReady = ops.readiness().phase() == ReadinessState.Phase.READY;
        Duration drain = wasReady ? config.ops().drainPeriod() : Duration.ZERO;
        ops.readiness().startDraining();
        if (wasReady) {
            log.info("draining: health checks answer 503; serving for {} ms more, then closing the listeners",
                    drain.toMillis());
        } else {
            log.info("never ready, so no drain period: closing the listeners");
        }
        boolean interrupted = false;
        try {
            if (drainCut.await(drain.toMillis(), TimeUnit.MILLISECONDS)) {
                log.info("drain period cut short");
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        close(IDLE_LINGER);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends a {@link #drainAndClose()} drain period now (the listeners close at once). */
    public void endDrainPeriod() {
        drainCut.countDown();
    }

    /**
     * Stops accepting, lets requests in flight finish within the shutdown grace (idle connections
     * close at once, busy ones after their response), then closes everything.
     */
    @Override
    public void close() {
        close(Duration.ZERO);
    }

    /**
     * Like {@link #close()}, but a connection between requests may send one more within {@code idleLinger}.
     */
    public synchronized void close(Duration idleLinger) {
        if (closed) {
            return;
        }
        closed = true;
        if (serverChannel == null) {
            ops.close();
            return;
        }
        ops.readiness().startDraining();
        Channel https = httpsChannel;
        if (https != null) {
            https.close();
        }
        Channel appId = appIdChannel;
        if (appId != null) {
            appId.close();
        }
        ServicePortListeners service = servicePorts;
        CompletableFuture<Void> serviceClosed = service == null ? CompletableFuture.completedFuture(null)
                : service.closeListeners();
        serverChannel.close().awaitUninterruptibly();
        serviceClosed.join();
        if (https != null) {
            https.closeFuture().awaitUninterruptibly();
        }
        if (appId != null) {
            appId.closeFuture().awaitUninterruptibly();
        }
        log.info("listeners closed; finishing {} client connection(s)", clients.size());
        sweeper.close();
        for (Channel client : clients) {
            ClientChannelInitializer.drain(client, idleLinger);
        }
        long graceMillis = config.shutdownGrace().toMillis();
        if (!clients.newCloseFuture().awaitUninterruptibly(graceMillis)) {
            log.warn("{} client connection(s) still busy after {} ms; closing them", clients.size(), graceMillis);
            clients.close().awaitUninterruptibly();
        }
        try {
            pools.closeIdle().get(graceMillis + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.debug("closing pooled backend connections did not finish", e);
        }
        closeRouteCertificates();
        shutdownLoops();
        ops.close();
        log.info("mesos-lb proxy stopped");
    }

    private void closeRouteCertificates() {
        RouteCertificates c = routeCertificates;
        if (c != null) {
            c.close();
        }
    }

    private void shutdownLoops() {
        ServicePortListeners service = servicePorts;
        if (service != null) {
            service.stopLoops();
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        boss.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
