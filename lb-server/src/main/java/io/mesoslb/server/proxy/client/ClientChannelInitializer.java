package io.mesoslb.server.proxy.client;

import io.mesoslb.server.proxy.exchange.Drain;
import io.mesoslb.server.proxy.exchange.ProxyExchange;

import io.mesoslb.server.observe.ExchangeObserver;
import io.mesoslb.server.observe.ProxyMetrics;
import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.proxy.Http2ClientSettings;
import io.mesoslb.server.proxy.ProxyOps;
import io.mesoslb.server.proxy.ProxySettings;
import io.mesoslb.server.proxy.origin.BackendPools;
import io.mesoslb.server.routes.RouteFinder;
import io.mesoslb.server.transport.ProxyProtocolHandler;

import io.mesoslb.core.RouteTableHolder;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import java.time.Duration;

/**
 * The client-side pipeline: {@code [ProxyProtocolHandler] -> [SniHandler] -> [RequestHeadTimer] ->
 * ClientRequestDecoder -> ClientResponseEncoder -> ClientRequestReceiver}; the connection's
 * {@link ExchangeObserver} is told by its exchange, not passed by every message.
 * No aggregator: bodies stream. The frontend holds, in order, what it cannot take yet (a pipelined
 * request, body the backend cannot take), so no {@code FlowControlHandler}: it would cost a hop and a
 * recycled queue per message to do the same.
 *
 * <p>Where the listener speaks HTTP/2 (ALPN on TLS, prior knowledge on a plain port), an
 * {@link AlpnSwitch} or {@link H2cPrefaceSniffer} stands where the HTTP handlers go and puts, once
 * the connection has said which it speaks, either those or
 * {@code Http2FrameCodec -> Http2MultiplexHandler -> Http2ConnectionKeeper}, whose streams get the
 * pipeline of {@link Http2StreamInitializer}.
 */
@ChannelHandler.Sharable
public final class ClientChannelInitializer extends ChannelInitializer<Channel> {
    private final RouteTableHolder routes;
    private final RouteFinder finder;
    private final BackendPools pools;
    private final ProxySettings settings;
    private final BackendOutcomes outcomes;
    private final ChannelGroup clients;
    private final ProxyOps ops;
    private final ChannelFutureListener connectionClosed;
    /** HTTP/2 on this listener, or null when it speaks HTTP/1 only. */
    private final Http2ClientSettings http2;
    private final Http2StreamInitializer streams;
    private final int connectionWindow;

    /**
     * @param clients every client channel is added here (and leaves it when it closes)
     * @param ops     metrics, access log, health path, client address, admin allow-list, PROXY protocol, TLS
     */
    public ClientChannelInitializer(RouteTableHolder routes, BackendPools pools, ProxySettings settings,
                                   BackendOutcomes outcomes, ChannelGroup clients, ProxyOps ops) {
        this(routes, RouteFinder.byHost(settings.defaultApp()), pools, settings, outcomes, clients, ops);
    }

    /** @param finder how this listener routes requests: by Host, or by app id on the app-id port */
    public ClientChannelInitializer(RouteTableHolder routes, RouteFinder finder, BackendPools pools,
                                   ProxySettings settings, BackendOutcomes outcomes, ChannelGroup clients,
                                   ProxyOps ops) {
        this(routes, finder, pools, settings, outcomes, clients, ops, Http2ClientSettings.OFF);
    }

    /**
     * @param http2 whether this listener speaks HTTP/2 (ALPN when it has TLS and its certificates offer
     *              {@code h2}; prior knowledge when plain), and the limits of a connection
     */
    public ClientChannelInitializer(RouteTableHolder routes, RouteFinder finder, BackendPools pools,
                                   ProxySettings settings, BackendOutcomes outcomes, ChannelGroup clients,
                                   ProxyOps ops, Http2ClientSettings http2) {
        this.routes = routes;
        this.finder = finder;
        this.pools = pools;
        this.settings = settings;
        this.outcomes = outcomes;
        this.clients = clients;
        this.ops = ops;
        ProxyMetrics metrics = ops.metrics();
        this.connectionClosed = metrics == null ? null : f -> metrics.connectionClosed();
        boolean tls = ops.tls() != null;
        boolean speaksH2 = http2.on(tls) && (!tls || ops.tls().offersH2());
        this.http2 = speaksH2 ? http2 : null;
        this.streams = speaksH2 ? new Http2StreamInitializer(this::newExchange, settings, ops) : null;
        this.connectionWindow = speaksH2 ? Http2Limits.connectionWindow(http2) : 0;
    }

    private ProxyExchange newExchange(ExchangeObserver observer) {
        return new ProxyExchange(routes, finder, pools, settings, outcomes, ops, observer);
    }

    /**
     * Asks a client connection to close as soon as it is between requests: at once when idle,
     * otherwise after the response in flight (which then says {@code Connection: close}).
     */
    public static void drain(Channel client) {
        client.pipeline().fireUserEventTriggered(ProxyExchange.DRAIN);
    }

    /**
     * Like {@link #drain(Channel)}, but a connection between requests may still send one within
     * {@code idleLinger}: a client that has just reused its keep-alive connection then gets its
     * answer (with {@code Connection: close}) instead of a closed socket.
     */
    public static void drain(Channel client, Duration idleLinger) {
        client.pipeline().fireUserEventTriggered(new Drain(idleLinger.toNanos()));
    }

    @Override
    protected void initChannel(Channel ch) {
        clients.add(ch);
        if (connectionClosed != null) {
            ops.metrics().connectionOpened();
            ch.closeFuture().addListener(connectionClosed);
        }
        ChannelPipeline p = ch.pipeline();
        if (ops.proxyProtocol() != null) {
            p.addLast(ops.proxyProtocol());
        }
        if (ops.tls() != null) {
            p.addLast(ops.tls().newHandler());
        }
        ExchangeObserver observer = new ExchangeObserver(ops);
        ProxyExchange exchange = newExchange(observer);
        RequestHeadTimer headTimer = null;
        if (!settings.requestHeaderTimeout().isZero()) {
            // After the PROXY header and TLS: it times the request head, in plain bytes.
            headTimer = new RequestHeadTimer(settings.requestHeaderTimeout().toNanos(), exchange::awaitingRequestHead,
                    exchange.clock());
            p.addLast(headTimer);
        }
        if (http2 == null) {
            http1(p, exchange);
            return;
        }
        ProtocolChoice choice = new Choice(exchange, headTimer);
        p.addLast(ops.tls() != null ? new AlpnSwitch(choice) : new H2cPrefaceSniffer(choice));
    }

    private void http1(ChannelPipeline p, ProxyExchange exchange) {
        p.addLast(http1Codec(settings));
        p.addLast(new ClientRequestReceiver(exchange));
    }

    /**
     * The HTTP/1 codec of a client connection: {@link ClientRequestDecoder} (which hands odd requests
     * to Netty's decoder, one at a time) and {@link ClientResponseEncoder}, sharing the methods of the requests not
     * answered yet, as {@code HttpServerCodec}'s two halves do.
     */
    public static ChannelHandler[] http1Codec(ProxySettings settings) {
        RequestMethods methods = new RequestMethods(MAX_PIPELINE_DEPTH);
        return new ChannelHandler[] {
                new ClientRequestDecoder(decoderConfig(settings), methods), new ClientResponseEncoder(methods)};
    }

    /**
     * Takes the HTTP/1 codec out of a client connection's pipeline, the encoder first: the decoder
     * hands the bytes it still holds to whatever follows it (a tunnel's relay), undecoded.
     */
    public static void removeHttp1Codec(ChannelPipeline p) {
        p.remove(ClientResponseEncoder.class);
        p.remove(ClientRequestDecoder.class);
    }

    private void http2(ChannelPipeline p) {
        Http2FrameCodec codec = Http2Limits.serverCodec(http2, settings.maxHeaderSize());
        p.addLast(codec, new Http2MultiplexHandler(streams),
                new Http2ConnectionKeeper(codec, settings, connectionWindow));
    }

    /** One connection's handlers for either protocol, until it says which it speaks. */
    private final class Choice implements ProtocolChoice {
        private final ProxyExchange exchange;
        private final RequestHeadTimer headTimer;

        Choice(ProxyExchange exchange, RequestHeadTimer headTimer) {
            this.exchange = exchange;
            this.headTimer = headTimer;
        }

        @Override
        public void http1(ChannelPipeline p) {
            ClientChannelInitializer.this.http1(p, exchange);
        }

        @Override
        public void http2(ChannelPipeline p) {
            if (headTimer != null) {
                // Streams arrive whole; the connection's own clock is Http2ConnectionKeeper's.
                p.remove(headTimer);
            }
            ClientChannelInitializer.this.http2(p);
        }
    }

    /** The most a client connection reads at once (Netty's adaptive default, made explicit: the depth below depends on it). */
    static final int MAX_READ_BYTES = 64 * 1024;
    /** {@code A / HTTP/1.1\r\n\r\n}: the shortest request the decoder hands on as valid. */
    private static final int SHORTEST_REQUEST_BYTES = 16;
    /**
     * How many decoded requests may await their responses ({@link RequestMethods}); the connection
     * fails beyond it. Netty's {@code HttpServerCodec} defaults to 128, and a client pipelining 1,000
     * small requests in one write got a reset after 128 answers (nginx and HAProxy answer all). Here the frontend holds pipelined requests
     * and stops reading as soon as one waits, so one read's worth is the most ever decoded ahead:
     * the depth just has to cover that, and the memory stays bounded by one read.
     */
    static final int MAX_PIPELINE_DEPTH = MAX_READ_BYTES / SHORTEST_REQUEST_BYTES + 2;

    /** Read buffer sizes for client connections, capped at {@link #MAX_READ_BYTES}. */
    public static RecvByteBufAllocator readSizes() {
        return new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ_BYTES);
    }

    public static HttpDecoderConfig decoderConfig(ProxySettings settings) {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxInitialLineLength())
                .setMaxHeaderSize(settings.maxHeaderSize())
                .setMaxChunkSize(ProxySettings.MAX_CHUNK_SIZE);
    }
}
