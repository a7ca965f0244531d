package io.mesoslb.server.service;

import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.ServicePort;
import io.mesoslb.server.observe.AccessLog;
import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.proxy.ProxyOps;
import io.mesoslb.server.proxy.ProxySettings;
import io.mesoslb.server.proxy.client.ClientChannelInitializer;
import io.mesoslb.server.proxy.origin.BackendPools;
import io.mesoslb.server.routes.RouteFinder;
import io.mesoslb.server.transport.Buffers;
import io.mesoslb.server.transport.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Puts the service ports on a running balancer: a listener per port the table assigns, tcp ports
 * relayed by {@link TcpServiceInitializer}, http ports served by the proxy's own client pipeline
 * with the port's app as the only route.
 *
 * <p>TCP ports run on NIO event loops of their own, whatever the proxy's transport. Netty 4.2.18's
 * epoll loses a half-closed connection: once its peer's FIN has been read while reads were paused
 * for backpressure, the socket is left with no event of interest, which removes it from the epoll
 * set while Netty still believes it registered, and the next write that has to wait fails with
 * {@code epoll_ctl(..) failed with error(-2)} (EpollIoHandler's registration drops the fd on an
 * empty mask without leaving its "added" state). A TCP relay hits exactly that; NIO does not.
 * {@code TcpServicePortTest} catches it (the 50 MiB echo with a FIN); move back to the proxy's
 * loops once Netty fixes it.
 */
public final class ServicePorts {
    private ServicePorts() {
    }

    /**
     * Starts following {@code routes}; the ports of the current table open at once.
     *
     * @param http     the proxy listener's bootstrap: groups, channel, options and connection limit
     * @param clients  every client connection of the balancer, for its drain and shutdown
     * @param registry where the ports' meters go
     */
    public static ServicePortListeners open(ServerBootstrap http, String bindHost, PortRange range, Duration drain,
                                            RouteTableHolder routes, BackendPools pools, ProxySettings proxy,
                                            BackendOutcomes outcomes, ChannelGroup clients, ProxyOps ops,
                                            MeterRegistry registry, int workerThreads) {
        ServicePortMetrics metrics = new ServicePortMetrics(registry);
        AccessLog accessLog = ops.accessLog() != null && ops.accessLog().isEnabled() ? ops.accessLog() : null;
        Transport nio = Transport.nio();
        EventLoopGroup tcpLoops = new MultiThreadIoEventLoopGroup(workerThreads,
                new DefaultThreadFactory("mesos-lb-tcp"), nio.ioHandlerFactory());
        ServerBootstrap tcp = sameOptions(http, new ServerBootstrap().group(tcpLoops, tcpLoops)
                .channel(nio.serverChannelClass()));
        Bootstrap origins = origins(nio, proxy);
        ServicePortListeners.ChildHandlers handlers = (port, mode, children) -> mode == ServicePort.Mode.TCP
                ? tcp.clone().childHandler(new TcpServiceInitializer(port, routes, origins, outcomes, proxy, metrics,
                        accessLog, children, clients))
                : http.clone().childHandler(ServicePortListeners.joining(children, new ClientChannelInitializer(routes,
                        RouteFinder.byServicePort(port), pools, proxy, outcomes, clients, ops)));
        EventLoop control = (EventLoop) http.config().group().next();
        ServicePortListeners listeners = new ServicePortListeners(control, handlers, bindHost, range, drain,
                metrics::bindFailed, () -> tcpLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS)
                .awaitUninterruptibly(5, TimeUnit.SECONDS));
        routes.addListenerFromCurrent(listeners);
        return listeners;
    }

    /** {@code to} with the options, child options and listener handler (the connection limit) of {@code from}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ServerBootstrap sameOptions(ServerBootstrap from, ServerBootstrap to) {
        from.config().options().forEach((option, value) -> to.option((ChannelOption) option, value));
        from.config().childOptions().forEach((option, value) -> to.childOption((ChannelOption) option, value));
        if (from.config().handler() != null) {
            to.handler(from.config().handler());
        }
        return to;
    }

    /**
     * Backend connections of TCP ports: made on the client's loop, nothing read until the relay
     * is in place, each direction closable on its own.
     */
    private static Bootstrap origins(Transport transport, ProxySettings proxy) {
        return new Bootstrap()
                .channel(transport.socketChannelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        proxy.connectTimeout().toMillis()))
                // No TCP_NODELAY: Netty turns it on as it makes each socket (NoDelayTest reads it back from the HTTP
                // pools' connections, made by the same channel class).
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOCATOR, Buffers.ALLOCATOR)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(proxy.writeBufferLow(), proxy.writeBufferHigh()))
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // The relay joins once the connection is up.
                    }
                })
                .disableResolver();
    }
}
