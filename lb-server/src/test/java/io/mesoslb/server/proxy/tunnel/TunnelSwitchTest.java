package io.mesoslb.server.proxy.tunnel;

import io.mesoslb.server.proxy.origin.EmbeddedProxy;

import static io.mesoslb.server.proxy.origin.EmbeddedProxy.originReceived;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The switch after a 101, between a client connection and a backend connection on in-memory
 * channels: what is left in each pipeline, and that bytes sent with the upgrade request still arrive.
 */
class TunnelSwitchTest {
    private static final String UPGRADE = "GET /ws HTTP/1.1\r\nHost: " + EmbeddedProxy.HOST
            + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";

    private final EmbeddedProxy proxy = new EmbeddedProxy(EmbeddedProxy.settings(Duration.ofSeconds(60)));
    private final EmbeddedChannel origin = proxy.pooledOrigin();

    @AfterEach
    void close() {
        proxy.close();
    }

    private static List<Class<?>> handlers(EmbeddedChannel channel) {
        return channel.pipeline().toMap().values().stream().<Class<?>>map(ChannelHandler::getClass).toList();
    }

    @Test
    void after101OnlyTheRelaysAreLeftAndBytesFlowBothWays() {
        // The client's first frame comes in the same write as the upgrade request.
        proxy.clientSends(UPGRADE + "early");
        assertThat(originReceived(origin)).startsWith("GET /ws HTTP/1.1\r\n").doesNotContain("early");

        proxy.originSends(origin, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");

        assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 101 Switching Protocols\r\n")
                .containsIgnoringCase("upgrade: websocket");
        assertThat(handlers(proxy.client)).containsExactly(TunnelRelay.class);
        assertThat(handlers(origin)).containsExactly(TunnelRelay.class);
        assertThat(originReceived(origin)).as("left in the client's decoder, handed on as it leaves").isEqualTo("early");

        proxy.clientSends("ping");
        proxy.originSends(origin, "pong");

        assertThat(originReceived(origin)).isEqualTo("ping");
        assertThat(proxy.clientReceived()).isEqualTo("pong");
        assertThat(proxy.idleConnections()).as("a tunnel's connection never goes back to the pool").isZero();
    }
}
