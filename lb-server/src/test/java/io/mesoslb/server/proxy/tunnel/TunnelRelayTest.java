package io.mesoslb.server.proxy.tunnel;

import static io.mesoslb.server.proxy.origin.EmbeddedProxy.ascii;
import static io.mesoslb.server.proxy.origin.EmbeddedProxy.drain;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.testkit.Await;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A relay pair between two in-memory channels, each on its own embedded loop and the test's thread. */
class TunnelRelayTest {
    /** Short, because the idle clock is System.nanoTime: the idle test waits for real time to pass it. */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final EmbeddedChannel client = new EmbeddedChannel();
    private final EmbeddedChannel origin = new EmbeddedChannel();

    @AfterEach
    void close() {
        client.finishAndReleaseAll();
        origin.finishAndReleaseAll();
    }

    /** Installs the pair as {@link TunnelSwitch} does: the client's end keeps the idle clock. */
    private void relay() {
        client.freezeTime();
        origin.freezeTime();
        TunnelRelay fromClient = new TunnelRelay(IDLE_NANOS, true, TunnelObserver.NONE);
        TunnelRelay fromOrigin = new TunnelRelay(0, false, TunnelObserver.NONE);
        TunnelRelay.pair(fromClient, fromOrigin);
        client.pipeline().addLast(fromClient);
        origin.pipeline().addLast(fromOrigin);
        fromClient.start();
        fromOrigin.start();
    }

    @Test
    void bytesGoBothWaysFlushedAtTheEndOfEachRead() {
        relay();

        client.writeInbound(ascii("ping"));
        origin.writeInbound(ascii("pong"));

        assertThat(drain(origin)).isEqualTo("ping");
        assertThat(drain(client)).isEqualTo("pong");
    }

    @Test
    void eachSideReadsOnlyWhileTheOtherCanTakeMore() {
        relay();

        writable(origin, false);
        assertThat(client.config().isAutoRead()).isFalse();
        assertThat(origin.config().isAutoRead()).isTrue();

        writable(origin, true);
        assertThat(client.config().isAutoRead()).isTrue();

        writable(client, false);
        assertThat(origin.config().isAutoRead()).isFalse();
    }

    @Test
    void aSideThatIsFullAlreadyWhenTheTunnelStartsHoldsTheOtherBack() {
        writable(origin, false);

        relay();

        assertThat(client.config().isAutoRead()).isFalse();
    }

    @Test
    void aCloseClosesTheOtherSideAfterWhatWasRelayedToIt() {
        relay();
        // Read but not yet flushed (no read-complete): the close must not lose it.
        client.pipeline().fireChannelRead(ascii("last words"));

        client.close();

        assertThat(origin.isOpen()).isFalse();
        assertThat(drain(origin)).isEqualTo("last words");
    }

    @Test
    void aTunnelWithNoBytesMovingIsClosedBothWays() {
        relay();

        Await.until(() -> {
            client.advanceTimeBy(IDLE_NANOS, TimeUnit.NANOSECONDS);
            client.runScheduledPendingTasks();
            return !client.isOpen();
        });

        assertThat(origin.isOpen()).isFalse();
    }

    @Test
    void bytesMovingKeepTheTunnelOpen() {
        relay();
        long movedAt = System.nanoTime();
        Await.until(() -> System.nanoTime() - movedAt > IDLE_NANOS);

        // Bytes the origin's way: the client's end keeps the clock for both directions.
        origin.writeInbound(ascii("x"));
        client.advanceTimeBy(IDLE_NANOS, TimeUnit.NANOSECONDS);
        client.runScheduledPendingTasks();

        assertThat(client.isOpen()).as("a byte moved within the last period").isTrue();
        assertThat(drain(client)).isEqualTo("x");
    }

    private static void writable(EmbeddedChannel channel, boolean writable) {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
        channel.runPendingTasks();
    }
}
