package io.mesoslb.server.proxy.origin;

import static io.mesoslb.server.proxy.origin.EmbeddedProxy.GET;
import static io.mesoslb.server.proxy.origin.EmbeddedProxy.originReceived;
import static io.mesoslb.server.proxy.origin.EmbeddedProxy.receiverOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.testkit.Await;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The backend connection's handler and its response decoder, between a client connection and a
 * backend connection on in-memory channels: what it relays, when it lets a connection be reused,
 * and its response clock.
 */
class OriginResponseReceiverTest {
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
    /** Short, because the clock is System.nanoTime: tests wait for real time to pass it, polling. */
    private static final Duration RESPONSE_TIMEOUT = Duration.ofMillis(1);

    private final EmbeddedProxy proxy = new EmbeddedProxy(EmbeddedProxy.settings(RESPONSE_TIMEOUT));
    private final EmbeddedChannel origin = proxy.pooledOrigin();

    @AfterEach
    void close() {
        proxy.close();
    }

    @Test
    void whileLentItRelaysTheResponseToTheClientAndThenGoesBackToThePool() {
        proxy.clientSends(GET);
        assertThat(originReceived(origin)).startsWith("GET / HTTP/1.1\r\n");
        assertThat(proxy.idleConnections()).as("lent").isZero();

        proxy.originSends(origin, OK);

        assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nhi");
        assertThat(origin.isOpen()).isTrue();
        assertThat(proxy.idleConnections()).as("back in the pool").isEqualTo(1);
    }

    @Test
    void bytesOnAPooledConnectionCloseItAndReachNoClient() {
        // Not even a line: left in the decoder, they would become the start of the next client's response.
        proxy.originSends(origin, "HTTP/1.1 200");

        assertThat(origin.isOpen()).isFalse();
        assertThat(proxy.idleConnections()).as("evicted").isZero();
        assertThat(proxy.clientReceived()).isEmpty();
    }

    @Test
    void bytesAfterTheEndOfAResponseMakeTheConnectionUnfitForReuse() {
        proxy.clientSends(GET);
        originReceived(origin);

        // A Content-Length too short for what was sent: the rest belongs to no response.
        proxy.originSends(origin, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi there");

        assertThat(proxy.clientReceived()).endsWith("\r\n\r\nhi");
        assertThat(origin.isOpen()).isFalse();
        assertThat(proxy.idleConnections()).isZero();
    }

    @Test
    void aWholeSecondResponseInTheSameReadReachesNoClient() {
        proxy.clientSends(GET);
        originReceived(origin);

        proxy.originSends(origin, OK + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstray");

        assertThat(proxy.clientReceived()).endsWith("\r\n\r\nhi").doesNotContain("stray");
        assertThat(origin.isOpen()).isFalse();
        assertThat(proxy.idleConnections()).isZero();
    }

    @Test
    void theEndOfAResponseWithNothingAfterItLeavesTheConnectionReusable() {
        proxy.clientSends(GET);
        proxy.originSends(origin, OK);
        proxy.clientReceived();

        proxy.clientSends(GET);
        assertThat(originReceived(origin)).as("the second request on the same connection")
                .contains("GET / HTTP/1.1\r\n");
        proxy.originSends(origin, "HTTP/1.1 204 No Content\r\n\r\n");

        assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 204 ");
        assertThat(proxy.idleConnections()).isEqualTo(1);
    }

    @Test
    void theResponseTimeoutAnswers504WhileAResponseIsDue() {
        proxy.clientSends(GET);

        runOriginTimersUntil(() -> !origin.isOpen());

        assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 504 ");
    }

    @Test
    void theResponseClockStopsWhileReadsArePausedForASlowClient() {
        proxy.clientSends(GET);
        OriginResponseReceiver receiver = receiverOf(origin);
        receiver.pauseReads(true);
        assertThat(origin.config().isAutoRead()).isFalse();

        runOriginTimersUntil(() -> false);
        assertThat(proxy.clientReceived()).as("silence is the client's, not the backend's").isEmpty();

        receiver.pauseReads(false);
        assertThat(origin.config().isAutoRead()).isTrue();
        runOriginTimersUntil(() -> !origin.isOpen());
        assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 504 ");
    }

    /**
     * Runs the backend connection's due timer checks until none is left or {@code done} holds. The
     * embedded clock decides when a check is due; the check reads the real clock, which passes the
     * one-millisecond timeout while this polls.
     */
    private void runOriginTimersUntil(java.util.function.BooleanSupplier done) {
        Await.until(() -> {
            // Far less than the idle timeout: only the response clock can come due.
            origin.advanceTimeBy(RESPONSE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
            long next = origin.runScheduledPendingTasks();
            return done.getAsBoolean() || next == -1 || next > TimeUnit.SECONDS.toNanos(1);
        });
    }
}
