package io.mesoslb.server;

import io.mesoslb.core.OutlierDetector;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.server.health.EjectionLog;
import io.mesoslb.server.health.HealthSweeper;
import io.mesoslb.server.health.PassiveHealth;
import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.proxy.BackendPools;
import io.mesoslb.server.proxy.ProxyChannelInitializer;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's listening socket, its event loops and its backend pools. Startable and stoppable
 * in-process; the routing comes from the {@link RouteTableHolder} passed in, which the caller keeps
 * current.
 */
public final class LbServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LbServer.class);

    private final ServerConfig config;
    private final RouteTableHolder routes;
    private final BackendOutcomes outcomes;
    // Written once by start(); volatile so that getters never wait for a close() in progress.
    private volatile Transport transport;
    private volatile EventLoopGroup boss;
    private volatile EventLoopGroup workers;
    private volatile BackendPools pools;
    private volatile ChannelGroup clients;
    private volatile InetSocketAddress localAddress;
    private Channel serverChannel;
    private boolean closed;
    // resilience: passive health
    private final EjectionLog ejections = new EjectionLog();
    private volatile HealthSweeper sweeper;

    public LbServer(ServerConfig config, RouteTableHolder routes) {
        this(config, routes, BackendOutcomes.NONE);
    }

    public LbServer(ServerConfig config, RouteTableHolder routes, BackendOutcomes outcomes) {
        this.config = config;
        this.routes = routes;
        this.outcomes = outcomes;
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
        pools = new BackendPools(workers, transport, config.proxy());
        routes.addListener(pools);
        clients = new DefaultChannelGroup("mesos-lb-clients", GlobalEventExecutor.INSTANCE);
        // Outcomes feed passive health first, then the listener given to the constructor.
        OutlierDetector detector = new OutlierDetector(config.outlier(), ejections);
        BackendOutcomes reported = new PassiveHealth(routes, detector, outcomes);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.proxy().writeBufferLow(), config.proxy().writeBufferHigh()))
                .childHandler(new ProxyChannelInitializer(routes, pools, config.proxy(), reported, clients));
        ChannelFuture bound = bootstrap.bind(config.listenHost(), config.listenPort()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutdownLoops();
            closed = true;
            throw new IllegalStateException("cannot listen on " + config.listenHost() + ":" + config.listenPort(),
                    bound.cause());
        }
        serverChannel = bound.channel();
        localAddress = (InetSocketAddress) serverChannel.localAddress();
        sweeper = HealthSweeper.start(detector, routes, HealthSweeper.intervalFor(config.outlier().baseEjectionTime()));
        log.info("mesos-lb proxy listening on {} ({} transport, {} worker threads)", localAddress(), transport.name(),
                config.workerThreads());
        return this;
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
     * Stops accepting, lets requests in flight finish within the shutdown grace (idle connections
     * close at once, busy ones after their response), then closes everything.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (serverChannel == null) {
            return;
        }
        serverChannel.close().awaitUninterruptibly();
        sweeper.close();
        for (Channel client : clients) {
            ProxyChannelInitializer.drain(client);
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
        shutdownLoops();
        log.info("mesos-lb proxy stopped");
    }

    private void shutdownLoops() {
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        boss.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
