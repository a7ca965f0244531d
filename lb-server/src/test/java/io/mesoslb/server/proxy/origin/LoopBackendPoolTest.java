package io.mesoslb.server.proxy.origin;

import io.mesoslb.server.proxy.ProxySettings;
import io.mesoslb.server.transport.Transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.App;
import io.mesoslb.core.Backend;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.testkit.Await;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-loop pool on a real event loop, with real connections to a local listener that accepts and
 * stays silent. Everything the pool does runs on its loop, as in the proxy: each step is submitted
 * there and waited for.
 */
class LoopBackendPoolTest {
    private static final int MAX_IDLE = 2;
    private static final ProxySettings SETTINGS = new ProxySettings(Duration.ofSeconds(5), Duration.ofSeconds(60),
            Duration.ofSeconds(60), Duration.ofSeconds(60), MAX_IDLE, 4096, 8192, null, 1, 8192, 16384, Duration.ZERO,
            Duration.ZERO, 0);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoop loop = group.next();
    private final RouteTableHolder routes = new RouteTableHolder(new VhostNaming("test.local"));
    private final BackendPools pools = new BackendPools(group, Transport.nio(), SETTINGS, routes);
    private final LoopBackendPool pool = pools.forLoop(loop);
    private Channel listener;
    private Backend a;
    private Backend b;

    @BeforeEach
    void listen() throws Exception {
        listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter())
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        a = new Backend("127.0.0.1", port, "task-a", "/app");
        b = new Backend("127.0.0.1", port, "task-b", "/app");
        routes.update(List.of(new App("/app", List.of(a, b))));
    }

    @AfterEach
    void stop() throws Exception {
        pools.closeIdle().get(10, TimeUnit.SECONDS);
        for (Channel c : pools.connections()) {
            c.close();
        }
        listener.close();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
    }

    private <T> T onLoop(Callable<T> step) throws Exception {
        return loop.submit(step).get(10, TimeUnit.SECONDS);
    }

    private void onLoop(Runnable step) throws Exception {
        loop.submit(step).get(10, TimeUnit.SECONDS);
    }

    private OriginResponseReceiver connect(Backend to) throws Exception {
        return connect(to, routes.current().routeForApp("/app"));
    }

    private OriginResponseReceiver connect(Backend to, Route chosenFrom) throws Exception {
        Channel ch = onLoop(() -> pool.connect(to, chosenFrom)).sync().channel();
        return ch.pipeline().get(OriginResponseReceiver.class);
    }

    /** Gives connections back in this order, as exchanges ending one after another would. */
    private void release(OriginResponseReceiver... handlers) throws Exception {
        onLoop(() -> {
            for (OriginResponseReceiver h : handlers) {
                pool.release(h);
            }
        });
    }

    private int idle(Backend of) throws Exception {
        return onLoop(() -> pool.idleCount(of));
    }

    @Test
    void theMostRecentlyReleasedConnectionIsLentFirst() throws Exception {
        OriginResponseReceiver first = connect(a);
        OriginResponseReceiver second = connect(a);
        release(first, second);
        assertThat(idle(a)).isEqualTo(2);
        assertThat(pools.idleConnections()).isEqualTo(2);

        assertThat(onLoop(() -> pool.pollIdle(a))).isSameAs(second);
        assertThat(onLoop(() -> pool.pollIdle(a))).isSameAs(first);
        assertThat(onLoop(() -> pool.pollIdle(a))).isNull();
        assertThat(idle(a)).isZero();
        assertThat(pools.idleConnections()).isZero();
    }

    @Test
    void aConnectionReleasedIntoAFullPoolIsClosed() throws Exception {
        List<OriginResponseReceiver> kept = List.of(connect(a), connect(a));
        OriginResponseReceiver surplus = connect(a);
        release(kept.get(0), kept.get(1), surplus);

        surplus.channel().closeFuture().await(10, TimeUnit.SECONDS);
        assertThat(surplus.channel().isOpen()).isFalse();
        assertThat(kept).allSatisfy(h -> assertThat(h.channel().isActive()).isTrue());
        assertThat(idle(a)).isEqualTo(MAX_IDLE);
        assertThat(pools.idleConnections()).isEqualTo(MAX_IDLE);
    }

    @Test
    void aPooledConnectionThatClosedIsNotLentButSkipped() throws Exception {
        OriginResponseReceiver older = connect(a);
        OriginResponseReceiver stale = connect(a);
        release(older, stale);

        // Closed and asked for in one loop task: the pool hears of the close (evict) only afterwards,
        // as when a backend's FIN is read in the same loop iteration that lends the connection.
        OriginResponseReceiver lent = onLoop(() -> {
            stale.channel().close();
            return pool.pollIdle(a);
        });

        assertThat(lent).isSameAs(older);
        stale.channel().closeFuture().await(10, TimeUnit.SECONDS);
        assertThat(idle(a)).isZero();
        assertThat(pools.idleConnections()).as("the skipped one is not counted twice").isZero();
    }

    @Test
    void aPooledConnectionThatClosesLeavesThePool() throws Exception {
        OriginResponseReceiver h = connect(a);
        onLoop(() -> pool.release(h));
        assertThat(idle(a)).isEqualTo(1);

        h.channel().close().await(10, TimeUnit.SECONDS);

        Await.until(Duration.ofSeconds(10), () -> pools.idleConnections() == 0, "idle count after the close");
        assertThat(idle(a)).isZero();
        assertThat(onLoop(() -> pool.pollIdle(a))).isNull();
    }

    @Test
    void aConnectionThatClosedBeforeItsReleaseIsNotPooled() throws Exception {
        OriginResponseReceiver h = connect(a);
        h.channel().close().await(10, TimeUnit.SECONDS);

        onLoop(() -> pool.release(h));

        assertThat(idle(a)).isZero();
        assertThat(pools.idleConnections()).isZero();
    }

    @Test
    void closeIdleClosesTheConnectionsOfTheBackendsThatLeftOnly() throws Exception {
        OriginResponseReceiver toA = connect(a);
        OriginResponseReceiver toB = connect(b);
        release(toA, toB);

        onLoop(() -> pool.closeIdle(List.of(a)));

        toA.channel().closeFuture().await(10, TimeUnit.SECONDS);
        assertThat(toA.channel().isOpen()).isFalse();
        assertThat(toB.channel().isActive()).isTrue();
        assertThat(idle(a)).isZero();
        assertThat(idle(b)).isEqualTo(1);
        assertThat(pools.idleConnections()).isEqualTo(1);
        assertThat(onLoop(() -> pool.pollIdle(b))).isSameAs(toB);
    }

    @Test
    void aConnectionInUseWhenItsBackendLeftIsClosedAtItsReleaseNotPooled() throws Exception {
        OriginResponseReceiver inUse = connect(a);
        onLoop(() -> pool.closeIdle(List.of(a)));

        release(inUse);

        inUse.channel().closeFuture().await(10, TimeUnit.SECONDS);
        assertThat(inUse.channel().isOpen()).isFalse();
        assertThat(idle(a)).isZero();
        assertThat(pools.idleConnections()).isZero();
    }

    @Test
    void aConnectToABackendThatLeftTheRouteItWasChosenFromKeepsNothingForIt() throws Exception {
        Route chosenFrom = routes.current().routeForApp("/app");
        routes.update(List.of(new App("/app", List.of(b))));
        onLoop(() -> pool.closeIdle(List.of(a)));

        OriginResponseReceiver late = connect(a, chosenFrom);
        assertThat(onLoop(() -> pool.entriesFor(a))).as("no queue, no address").isZero();
        release(late);

        late.channel().closeFuture().await(10, TimeUnit.SECONDS);
        assertThat(late.channel().isOpen()).as("closed after its exchange, not pooled").isFalse();
        assertThat(onLoop(() -> pool.entriesFor(a))).isZero();
        assertThat(pools.idleConnections()).isZero();
    }

    @Test
    void closeAllEmptiesThePoolOnceEachClose() throws Exception {
        OriginResponseReceiver toA = connect(a);
        OriginResponseReceiver toB = connect(b);
        release(toA, toB);

        pools.closeIdle().get(10, TimeUnit.SECONDS);

        toA.channel().closeFuture().await(10, TimeUnit.SECONDS);
        toB.channel().closeFuture().await(10, TimeUnit.SECONDS);
        assertThat(idle(a) + idle(b)).isZero();
        // After the closes' evict() calls (the loop ran them before the step above), which come when
        // the pool has forgotten the connections: no count goes below zero.
        assertThat(pools.idleConnections()).isZero();
    }
}
