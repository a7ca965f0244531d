package io.mesoslb.server.service;

import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.server.observe.AccessLog;
import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.proxy.ProxySettings;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;

/**
 * The pipeline of a connection to a TCP service port: a {@link TcpServiceConnector} until the
 * backend is connected, then a tunnel relay pair. Nothing is read from the client until then, and
 * each direction may be shut on its own (half-close passes through).
 */
@ChannelHandler.Sharable
final class TcpServiceInitializer extends ChannelInitializer<Channel> {
    private final int port;
    private final RouteTableHolder routes;
    private final Bootstrap origins;
    private final BackendOutcomes outcomes;
    private final ProxySettings settings;
    private final ServicePortMetrics metrics;
    private final AccessLog accessLog;
    private final ChannelGroup children;
    private final ChannelGroup clients;

    /**
     * @param children the port's connections, for its drain when it closes
     * @param clients  every client connection of the balancer, for shutdown
     */
    TcpServiceInitializer(int port, RouteTableHolder routes, Bootstrap origins, BackendOutcomes outcomes,
                          ProxySettings settings, ServicePortMetrics metrics, AccessLog accessLog,
                          ChannelGroup children, ChannelGroup clients) {
        this.port = port;
        this.routes = routes;
        this.origins = origins;
        this.outcomes = outcomes;
        this.settings = settings;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.children = children;
        this.clients = clients;
    }

    @Override
    protected void initChannel(Channel ch) {
        children.add(ch);
        clients.add(ch);
        ch.config().setAutoRead(false);
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        TcpSession session = new TcpSession(port, metrics.port(port), accessLog, outcomes);
        ch.pipeline().addLast(new TcpServiceConnector(port, routes, origins, outcomes, settings.connectRetries(),
                settings.clientIdleTimeout().toNanos(), session));
    }
}
