package io.mesoslb.server.proxy.origin;

import io.mesoslb.server.observe.ExchangeObserver;
import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.proxy.ProxyOps;
import io.mesoslb.server.proxy.ProxySettings;
import io.mesoslb.server.proxy.client.ClientChannelInitializer;
import io.mesoslb.server.proxy.client.ClientRequestReceiver;
import io.mesoslb.server.proxy.exchange.ProxyExchange;
import io.mesoslb.server.routes.RouteFinder;
import io.mesoslb.server.transport.Transport;

import io.mesoslb.core.App;
import io.mesoslb.core.Backend;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One client connection of the proxy and its backend connections, each on an in-memory channel,
 * with the proxy's real handlers: the client pipeline {@code ClientRequestDecoder -> ClientResponseEncoder ->
 * ClientRequestReceiver}, and backend connections {@code BackendResponseDecoder -> OriginRequestEncoder
 * -> OriginResponseReceiver} that the test puts in the client loop's pool, where the exchange finds
 * them (nothing is ever connected). Every channel runs on the test's thread, as the proxy runs a
 * client and its backends on one loop. Embedded clocks are frozen: a timer runs only when a test
 * advances one.
 */
public final class EmbeddedProxy implements AutoCloseable {
    public static final String HOST = "app.test.local";
    public static final String GET = "GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n";

    /** Never connected to: its connections come from {@link #pooledOrigin()}. */
    public final Backend backend = new Backend("127.0.0.1", 9, "task-1", "/app");
    public final EmbeddedChannel client = new EmbeddedChannel();
    public final ClientRequestReceiver receiver;
    private final ProxySettings settings;
    private final LoopBackendPool pool;
    private final List<EmbeddedChannel> origins = new ArrayList<>();

    public EmbeddedProxy(ProxySettings settings) {
        this.settings = settings;
        client.freezeTime();
        RouteTableHolder routes = new RouteTableHolder(new VhostNaming("test.local"));
        routes.update(List.of(new App("/app", List.of(backend))));
        // The embedded loop is a group of one: the pools have a pool for it.
        BackendPools pools = new BackendPools(client.eventLoop(), Transport.nio(), settings, routes);
        pool = pools.forLoop(client.eventLoop());
        ExchangeObserver observer = new ExchangeObserver(ProxyOps.NONE);
        receiver = new ClientRequestReceiver(new ProxyExchange(routes, RouteFinder.byHost(null), pools, settings,
                BackendOutcomes.NONE, ProxyOps.NONE, observer));
        client.pipeline().addLast(ClientChannelInitializer.http1Codec(settings));
        client.pipeline().addLast(receiver);
        // The channel went active before its handlers were in (the exchange needs the pools, the pools the loop).
        client.pipeline().fireChannelActive();
    }

    /** Settings with this response timeout and generous others. */
    public static ProxySettings settings(Duration responseTimeout) {
        return new ProxySettings(Duration.ofSeconds(5), responseTimeout, Duration.ofSeconds(60),
                Duration.ofSeconds(60), 4, 4096, 8192, null, 0, 8192, 16384, Duration.ZERO, Duration.ZERO, 0);
    }

    /** A connection to {@link #backend}, idle in the pool: the next request goes out on it. */
    public EmbeddedChannel pooledOrigin() {
        EmbeddedChannel origin = new EmbeddedChannel();
        origin.freezeTime();
        BackendResponseDecoder decoder = new BackendResponseDecoder(ClientChannelInitializer.decoderConfig(settings));
        OriginResponseReceiver handler = new OriginResponseReceiver(backend, new PooledConnection(decoder, pool),
                settings.responseTimeout().toNanos(), settings.backendIdleTimeout().toNanos());
        origin.pipeline().addLast(decoder, new OriginRequestEncoder(), handler);
        origin.pipeline().fireChannelActive();
        pool.serving(backend);
        pool.release(handler);
        origins.add(origin);
        return origin;
    }

    public static OriginResponseReceiver receiverOf(EmbeddedChannel origin) {
        return origin.pipeline().get(OriginResponseReceiver.class);
    }

    public int idleConnections() {
        return pool.idleCount(backend);
    }

    public void clientSends(String text) {
        client.writeInbound(ascii(text));
    }

    /** What the proxy wrote to the client so far. */
    public String clientReceived() {
        return drain(client);
    }

    public void originSends(EmbeddedChannel origin, String text) {
        origin.writeInbound(ascii(text));
    }

    /** What the proxy wrote to the backend connection so far. */
    public static String originReceived(EmbeddedChannel origin) {
        return drain(origin);
    }

    public static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    public static String drain(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) msg;
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return out.toString();
    }

    @Override
    public void close() {
        client.finishAndReleaseAll();
        for (EmbeddedChannel o : origins) {
            o.finishAndReleaseAll();
        }
    }
}
