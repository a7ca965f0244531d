package io.mesoslb.server.proxy.client;

import io.mesoslb.server.proxy.exchange.ProxyExchange;

import io.mesoslb.server.observe.ExchangeObserver;
import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.proxy.ProxyOps;
import io.mesoslb.server.proxy.ProxySettings;
import io.mesoslb.server.proxy.origin.BackendPools;
import io.mesoslb.server.routes.RouteFinder;
import io.mesoslb.server.transport.Transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.App;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The answers a client connection gets without any backend, on an in-memory channel. */
class ClientRequestReceiverTest {
    private static final ProxySettings SETTINGS = new ProxySettings(Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofSeconds(10), Duration.ofSeconds(10), 4, 4096, 8192, null, 1, 8192, 16384, Duration.ZERO, Duration.ZERO, 0);

    private final EventLoopGroup unused = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final RouteTableHolder routes = new RouteTableHolder(new VhostNaming("test.local"));
    private final ExchangeObserver observer = new ExchangeObserver(ProxyOps.NONE);
    private final ProxyExchange proxyExchange = new ProxyExchange(routes, RouteFinder.byHost(null),
            new BackendPools(unused, Transport.nio(), SETTINGS, routes), SETTINGS, BackendOutcomes.NONE, ProxyOps.NONE,
            observer);
    private final ClientRequestReceiver handler = new ClientRequestReceiver(proxyExchange);
    private final EmbeddedChannel channel = new EmbeddedChannel(withCodec(handler));

    private static io.netty.channel.ChannelHandler[] withCodec(io.netty.channel.ChannelHandler... after) {
        java.util.List<io.netty.channel.ChannelHandler> all =
                new java.util.ArrayList<>(java.util.List.of(ClientChannelInitializer.http1Codec(SETTINGS)));
        all.addAll(java.util.List.of(after));
        return all.toArray(new io.netty.channel.ChannelHandler[0]);
    }

    @AfterEach
    void stop() {
        channel.finishAndReleaseAll();
        unused.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
    }

    private String exchange(String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return out.toString();
    }

    @Test
    void theConnectionsReadBatchEndsWithItsReadComplete() {
        assertThat(exchange("GET / HTTP/1.1\r\nHost: one.example\r\n\r\n")).startsWith("HTTP/1.1 404");
        // The time the batch shared is not handed out after it: a later read of the clock is a new one.
        long t = proxyExchange.clock().now();
        while (System.nanoTime() <= t) {
            Thread.onSpinWait();
        }
        assertThat(proxyExchange.clock().now()).isGreaterThan(t);
    }

    @Test
    void unknownHostsAre404InOrderOnAKeptConnection() {
        String out = exchange("GET / HTTP/1.1\r\nHost: one.example\r\n\r\nGET / HTTP/1.1\r\nHost: two.example\r\n\r\n");

        assertThat(out).startsWith("HTTP/1.1 404 Not Found\r\n");
        assertThat(out.indexOf("no route for host one.example")).isLessThan(out.indexOf("no route for host two.example"));
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void appWithoutBackendsIs503() {
        routes.update(List.of(new App("/empty", List.of())));

        assertThat(exchange("GET / HTTP/1.1\r\nHost: empty.test.local\r\n\r\n")).startsWith("HTTP/1.1 503 ");
    }

    @Test
    void badRequestsAre400AndClose() {
        String out = exchange("GET / HTTP/1.1\r\n\r\n");

        assertThat(out).startsWith("HTTP/1.1 400 ").contains("connection: close").contains("missing Host header");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void requestWithUnreadBodyIsAnsweredThenClosed() {
        String out = exchange("POST / HTTP/1.1\r\nHost: nowhere\r\nContent-Length: 5\r\n\r\n");

        assertThat(out).startsWith("HTTP/1.1 404 ").contains("connection: close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void http10ErrorsSayKeepAliveWhenKept() {
        String out = exchange("GET / HTTP/1.0\r\nHost: nowhere\r\nConnection: keep-alive\r\n\r\n");

        assertThat(out).startsWith("HTTP/1.0 404 ").contains("connection: keep-alive");
        assertThat(channel.isOpen()).isTrue();
    }
}
