package io.mesoslb.server;

import io.mesoslb.core.RouteTableHolder;
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
    private Transport transport;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private BackendPools pools;
    private ChannelGroup clients;
    private Channel serverChannel;
    private boolean closed;

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
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.proxy().writeBufferLow(), config.proxy().writeBufferHigh()))
                .childHandler(new ProxyChannelInitializer(routes, pools, config.proxy(), outcomes, clients));
        ChannelFuture bound = bootstrap.bind(config.listenHost(), config.listenPort()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutdownLoops();
            closed = true;
            throw new IllegalStateException("cannot listen on " + config.listenHost() + ":" + config.listenPort(),
                    bound.cause());
        }
        serverChannel = bound.channel();
        log.info("mesos-lb proxy listening on {} ({} transport, {} worker threads)", localAddress(), transport.name(),
                config.workerThreads());
        return this;
    }

    public synchronized InetSocketAddress localAddress() {
        if (serverChannel == null) {
            throw new IllegalStateException("not started");
        }
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public int port() {
        return localAddress().getPort();
    }

    public synchronized Transport transport() {
        return transport;
    }

    /** The backend connection pools; exposed for diagnostics and tests. */
    public synchronized BackendPools pools() {
        return pools;
    }

    /** Client connections open right now. */
    public synchronized ChannelGroup clients() {
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
