package io.mesoslb.server.proxy;

import io.mesoslb.core.RouteTableHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The client-side pipeline: {@code HttpServerCodec -> FlowControlHandler -> IdleStateHandler ->
 * FrontendHandler}. No aggregator: bodies stream. The flow-control handler holds decoded messages
 * while the frontend has stopped reading, which is what keeps pipelined requests in order.
 */
@ChannelHandler.Sharable
public final class ProxyChannelInitializer extends ChannelInitializer<Channel> {
    private final RouteTableHolder routes;
    private final BackendPools pools;
    private final ProxySettings settings;
    private final BackendOutcomes outcomes;
    private final ChannelGroup clients;

    /** @param clients every client channel is added here (and leaves it when it closes) */
    public ProxyChannelInitializer(RouteTableHolder routes, BackendPools pools, ProxySettings settings,
                                   BackendOutcomes outcomes, ChannelGroup clients) {
        this.routes = routes;
        this.pools = pools;
        this.settings = settings;
        this.outcomes = outcomes;
        this.clients = clients;
    }

    /**
     * Asks a client connection to close as soon as it is between requests: at once when idle,
     * otherwise after the response in flight (which then says {@code Connection: close}).
     */
    public static void drain(Channel client) {
        client.pipeline().fireUserEventTriggered(FrontendHandler.DRAIN);
    }

    @Override
    protected void initChannel(Channel ch) {
        clients.add(ch);
        ch.pipeline().addLast(
                new HttpServerCodec(decoderConfig(settings)),
                new FlowControlHandler(),
                new IdleStateHandler(0, 0, settings.clientIdleTimeout().toMillis(), TimeUnit.MILLISECONDS),
                new FrontendHandler(routes, pools, settings, outcomes));
    }

    static HttpDecoderConfig decoderConfig(ProxySettings settings) {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxInitialLineLength())
                .setMaxHeaderSize(settings.maxHeaderSize())
                .setMaxChunkSize(ProxySettings.MAX_CHUNK_SIZE);
    }
}
