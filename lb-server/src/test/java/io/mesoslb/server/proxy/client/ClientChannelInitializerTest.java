package io.mesoslb.server.proxy.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.CidrList;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.proxy.ProxyOps;
import io.mesoslb.server.proxy.ProxySettings;
import io.mesoslb.server.proxy.origin.BackendPools;
import io.mesoslb.server.routes.RouteFinder;
import io.mesoslb.server.transport.ClientAddressResolver;
import io.mesoslb.server.transport.ProxyProtocolHandler;
import io.mesoslb.server.transport.Transport;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client pipeline as the initializer builds it: which handlers, in which order, for which settings. */
class ClientChannelInitializerTest {
    private final EventLoopGroup unused = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final RouteTableHolder routes = new RouteTableHolder(new VhostNaming("test.local"));
    private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void stop() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        unused.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    private static ProxySettings settings(Duration headTimeout) {
        return new ProxySettings(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(10),
                Duration.ofSeconds(10), 4, 4096, 8192, null, 1, 8192, 16384, headTimeout, Duration.ZERO, 0);
    }

    private List<Class<?>> pipeline(ProxySettings settings, ProxyOps ops) {
        ClientChannelInitializer init = new ClientChannelInitializer(routes, RouteFinder.byHost(null),
                new BackendPools(unused, Transport.nio(), settings, routes), settings, BackendOutcomes.NONE, clients, ops);
        EmbeddedChannel ch = new EmbeddedChannel(init);
        channels.add(ch);
        List<Class<?>> types = new ArrayList<>();
        for (Map.Entry<String, ChannelHandler> e : ch.pipeline()) {
            types.add(e.getValue().getClass());
        }
        return types;
    }

    @Test
    void plainHttpIsCodecAndReceiverWithTheHeadTimerInFront() {
        assertThat(pipeline(settings(Duration.ofSeconds(10)), ProxyOps.NONE)).containsExactly(RequestHeadTimer.class,
                ClientRequestDecoder.class, ClientResponseEncoder.class, ClientRequestReceiver.class);
        assertThat(clients.size()).as("every client joins the group the server drains").isEqualTo(1);
    }

    @Test
    void withoutAHeadTimeoutThereIsNoTimer() {
        assertThat(pipeline(settings(Duration.ZERO), ProxyOps.NONE)).containsExactly(ClientRequestDecoder.class,
                ClientResponseEncoder.class, ClientRequestReceiver.class);
    }

    @Test
    void thePROXYHeaderIsReadBeforeAnythingElse() {
        ProxyOps ops = new ProxyOps(null, null, null, null, new ClientAddressResolver(CidrList.EMPTY), CidrList.EMPTY,
                new ProxyProtocolHandler(CidrList.EMPTY), null, null);
        List<Class<?>> types = pipeline(settings(Duration.ofSeconds(10)), ops);
        // The handler puts Netty's decoder in front of itself once the channel is registered.
        assertThat(types.subList(0, types.indexOf(RequestHeadTimer.class)))
                .containsExactly(HAProxyMessageDecoder.class, ProxyProtocolHandler.class);
    }
}
