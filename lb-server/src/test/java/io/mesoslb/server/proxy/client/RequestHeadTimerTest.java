package io.mesoslb.server.proxy.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.server.proxy.exchange.ReadBatchClock;
import io.mesoslb.testkit.Await;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The head timer alone, in front of a handler that records the events it passes on. */
class RequestHeadTimerTest {
    /**
     * Short, because the timer's clock is System.nanoTime, not the embedded loop's: the tests wait
     * for real time to pass it, polling, and only the order of events is asserted.
     */
    private static final long TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final AtomicBoolean awaitingHead = new AtomicBoolean(true);
    private final ReadBatchClock clock = new ReadBatchClock();
    private final RequestHeadTimer timer = new RequestHeadTimer(TIMEOUT_NANOS, awaitingHead::get, clock);
    private final List<Object> events = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel();

    @BeforeEach
    void connect() {
        // Frozen before the timer starts: its checks come due only when a test advances the embedded
        // clock, never during a write that happens to be slow. The timer starts as the connection opens.
        channel.freezeTime();
        channel.pipeline().addLast(timer, new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                events.add(evt);
            }
        });
        channel.pipeline().fireChannelActive();
    }

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
    }

    private void send(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        ByteBuf passed = channel.readInbound();
        assertThat(passed.toString(StandardCharsets.ISO_8859_1)).as("bytes pass unchanged").isEqualTo(bytes);
        passed.release();
    }

    /** Runs the timer's scheduled checks until none is left or {@code done} holds. */
    private void runTimerUntil(java.util.function.BooleanSupplier done) {
        Await.until(() -> {
            // The embedded clock only decides when a check is due; the check itself reads the real clock.
            channel.advanceTimeBy(1, TimeUnit.SECONDS);
            long next = channel.runScheduledPendingTasks();
            return done.getAsBoolean() || next == -1;
        });
    }

    @Test
    void aReadBatchItBeganEndsWithItsReadCompleteWithNoFrontendBehind() {
        // As before an HTTP/2 listener's connection said which protocol it speaks: nothing else ends the batch.
        send("GET / HTTP/1.1\r\nHo");
        long t = clock.now();
        while (System.nanoTime() <= t) {
            Thread.onSpinWait();
        }
        assertThat(clock.now()).as("a read after the batch is a new one").isGreaterThan(t);
    }

    @Test
    void aHeadStuckHalfwayGetsTheExpiredEventAndTheConnectionStaysForTheAnswer() {
        send("GET / HTTP/1.1\r\nHo");

        runTimerUntil(() -> !events.isEmpty());

        assertThat(events).containsExactly(RequestHeadTimer.EXPIRED);
        assertThat(channel.isOpen()).as("left open for the 408").isTrue();
    }

    @Test
    void aConnectionThatSendsNothingIsClosedSilently() {
        runTimerUntil(() -> !channel.isOpen());

        assertThat(channel.isOpen()).isFalse();
        assertThat(events).isEmpty();
    }

    /** Also the keep-alive case: between requests with nothing sent, the idle timeout decides, not this one. */
    @Test
    void aHeadThatArrivedStopsTheClock() {
        send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        timer.headReceived();

        runTimerUntil(() -> false);

        assertThat(events).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void bytesOfABodyDoNotStartTheClockButTheNextHeadDoes() {
        send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n");
        timer.headReceived();
        awaitingHead.set(false);

        send("bo");
        runTimerUntil(() -> false);
        assertThat(events).as("a body being sent is not a head").isEmpty();

        send("dy");
        awaitingHead.set(true);
        send("GET /next HT");
        runTimerUntil(() -> !events.isEmpty());

        assertThat(events).containsExactly(RequestHeadTimer.EXPIRED);
    }
}
