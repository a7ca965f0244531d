package io.mesoslb.server.admin;

import io.mesoslb.server.service.PortStatus;
import java.util.Map;

import io.mesoslb.server.observe.ProxyMetrics;
import io.mesoslb.server.routes.HostlessRoutes;

import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.Ticker;
import io.mesoslb.discovery.DiscoveryState;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations plane: {@code /health}, {@code /metrics}, {@code /routes}, {@code /stats.json},
 * {@code /version} and the status page at {@code /} and {@code /status}.
 *
 * <p>It runs its own single-threaded event loop so that a slow scrape or a big routes document
 * never delays proxied traffic, and binds to loopback unless told otherwise.
 */
public final class AdminServer implements AutoCloseable {
    public static final String DEFAULT_HOST = "127.0.0.1";

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    private static final int IDLE_SECONDS = 60;
    private static final int BIND_TIMEOUT_SECONDS = 30;

    private final InetSocketAddress bind;
    private final AdminHandler handler;
    private final StatsJson stats;
    private final RoutesJson routesJson;
    private EventLoopGroup group;
    private Channel channel;

    /**
     * @param bind      where to listen, e.g. {@code new InetSocketAddress(DEFAULT_HOST, 9090)}; port 0 picks one
     * @param routes    the live routing table
     * @param discovery discovery's state (may return null before discovery runs)
     * @param readiness the health verdict
     * @param registry  the registry {@code /metrics} scrapes
     * @param metrics   the proxy's meters for request counts and rates on the status page, or null
     * @param transport the event loop transport in use (e.g. {@code epoll}, {@code nio}) for {@code /version}
     */
    public AdminServer(InetSocketAddress bind, RouteTableHolder routes, Supplier<DiscoveryState> discovery,
                       ReadinessState readiness, PrometheusMeterRegistry registry, ProxyMetrics metrics,
                       Supplier<String> transport) {
        this(bind, routes, discovery, readiness, registry, metrics, transport, Ticker.SYSTEM, Clock.systemUTC());
    }

    AdminServer(InetSocketAddress bind, RouteTableHolder routes, Supplier<DiscoveryState> discovery,
                ReadinessState readiness, PrometheusMeterRegistry registry, ProxyMetrics metrics,
                Supplier<String> transport, Ticker ticker, Clock clock) {
        this.bind = Objects.requireNonNull(bind, "bind");
        this.stats = new StatsJson(metrics, ticker, clock);
        this.routesJson = new RoutesJson(ticker, clock, metrics);
        this.handler = new AdminHandler(Objects.requireNonNull(routes, "routes"),
                Objects.requireNonNull(discovery, "discovery"), Objects.requireNonNull(readiness, "readiness"),
                Objects.requireNonNull(registry, "registry"), routesJson, stats,
                new VersionInfo(Objects.requireNonNull(transport, "transport"), clock), loadStatusPage());
    }

    /** Where {@code /routes} reads how the service ports stand. */
    public void servicePorts(Supplier<Map<Integer, PortStatus>> status) {
        routesJson.servicePorts(status);
    }

    /** Where {@code /routes} and the status page read the apps no Host leads to. */
    public void unroutable(Supplier<HostlessRoutes.Snapshot> hostless) {
        routesJson.unroutable(hostless);
    }

    /**
     * Binds and starts serving.
     *
     * @return the bound port (useful when {@code bind} asked for port 0)
     * @throws IllegalStateException when the address cannot be bound (in use, not local)
     */
    public synchronized int start() throws InterruptedException {
        if (channel != null) {
            throw new IllegalStateException("already started");
        }
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("mesos-lb-admin", true),
                NioIoHandler.newFactory());
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS))
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpServerKeepAliveHandler())
                                .addLast(new HttpContentCompressor(1024, StandardCompressionOptions.gzip(),
                                        StandardCompressionOptions.deflate()))
                                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast(handler);
                    }
                })
                .bind(bind);
        boolean ok = false;
        try {
            ok = bound.await(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS) && bound.isSuccess();
        } finally {
            if (!ok) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                group = null;
            }
        }
        if (!ok) {
            throw new IllegalStateException("admin server cannot listen on " + bind, bound.cause());
        }
        channel = bound.channel();
        if (stats.hasMetrics()) {
            channel.eventLoop().scheduleAtFixedRate(stats::sample, 0, 1, TimeUnit.SECONDS);
        }
        InetSocketAddress local = localAddress();
        log.info("admin server listening on {}", local);
        return local.getPort();
    }

    /** The bound address, or null before {@link #start()}. */
    public synchronized InetSocketAddress localAddress() {
        return channel == null ? null : (InetSocketAddress) channel.localAddress();
    }

    @Override
    public synchronized void close() {
        if (group == null) {
            return;
        }
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        group = null;
        channel = null;
    }

    private static byte[] loadStatusPage() {
        try (InputStream in = AdminServer.class.getResourceAsStream("status.html")) {
            if (in == null) {
                throw new IllegalStateException("status.html is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
