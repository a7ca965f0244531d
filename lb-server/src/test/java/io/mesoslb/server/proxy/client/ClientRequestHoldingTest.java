package io.mesoslb.server.proxy.client;

import io.mesoslb.server.proxy.origin.EmbeddedProxy;

import static io.mesoslb.server.proxy.origin.EmbeddedProxy.originReceived;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link ClientRequestReceiver} holds, in order, while the exchange cannot take it, and how it
 * turns the client's reads off and on; with a backend connection on an in-memory channel.
 * {@link ClientRequestReceiverTest} has the answers given without a backend.
 */
class ClientRequestHoldingTest {
    private final EmbeddedProxy proxy = new EmbeddedProxy(EmbeddedProxy.settings(Duration.ofSeconds(60)));
    private final EmbeddedChannel origin = proxy.pooledOrigin();
    private final EmbeddedChannel client = proxy.client;

    @AfterEach
    void close() {
        proxy.close();
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + EmbeddedProxy.HOST + "\r\n\r\n";
    }

    private static String ok(String body) {
        return "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    @Test
    void aPipelinedRequestWaitsWithReadsOffUntilTheFirstIsAnswered() {
        proxy.clientSends(get("/first") + get("/second"));

        assertThat(originReceived(origin)).contains("GET /first ").doesNotContain("/second");
        assertThat(client.config().isAutoRead()).as("reads off while a request is held").isFalse();

        proxy.originSends(origin, ok("one"));
        // The held request is taken up in a task of its own, after the response's end went out.
        assertThat(proxy.clientReceived()).endsWith("one");
        client.runPendingTasks();

        assertThat(originReceived(origin)).contains("GET /second ");
        assertThat(client.config().isAutoRead()).as("reads on once nothing is held").isTrue();
        proxy.originSends(origin, ok("two"));
        assertThat(proxy.clientReceived()).endsWith("two");
    }

    @Test
    void bodyTheBackendCannotTakeIsHeldWithReadsOffUntilItCan() {
        proxy.clientSends("POST / HTTP/1.1\r\nHost: " + EmbeddedProxy.HOST + "\r\nContent-Length: 8\r\n\r\nfour");
        assertThat(originReceived(origin)).endsWith("\r\n\r\nfour");

        backendWritable(false);
        proxy.clientSends("more");

        assertThat(originReceived(origin)).isEmpty();
        assertThat(client.config().isAutoRead()).isFalse();

        backendWritable(true);

        assertThat(originReceived(origin)).isEqualTo("more");
        assertThat(client.config().isAutoRead()).isTrue();
    }

    /** As when the backend's socket buffer fills up and drains. */
    private void backendWritable(boolean writable) {
        origin.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
        origin.runPendingTasks();
        assertThat(origin.isWritable()).isEqualTo(writable);
    }
}
