package io.mesoslb.server.proxy.origin;

import static io.mesoslb.server.proxy.origin.EmbeddedProxy.GET;
import static io.mesoslb.server.proxy.origin.EmbeddedProxy.drain;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How many writes a small exchange costs each connection: a message without a body, or one whose
 * body came with its head, goes out as one buffer, the end with it (one trip through the pipeline,
 * one entry in the outbound buffer).
 */
class WholeMessagesTest {
    private final EmbeddedProxy proxy = new EmbeddedProxy(EmbeddedProxy.settings(Duration.ofSeconds(5)));
    private final EmbeddedChannel origin = proxy.pooledOrigin();

    @AfterEach
    void close() {
        proxy.close();
    }

    @Test
    void aRequestWithoutABodyReachesTheBackendInOneWrite() {
        proxy.clientSends(GET);

        assertThat(written(origin)).singleElement().satisfies(head -> assertThat(head)
                .startsWith("GET / HTTP/1.1\r\n").containsIgnoringCase("\r\nX-Forwarded-For: ").endsWith("\r\n\r\n"));
    }

    @Test
    void aRequestWithAnEmptyLengthIsOneWriteTooAndKeepsItsLength() {
        proxy.clientSends("POST /form HTTP/1.1\r\nHost: " + EmbeddedProxy.HOST + "\r\nContent-Length: 0\r\n\r\n");

        assertThat(written(origin)).singleElement().satisfies(head -> assertThat(head)
                .startsWith("POST /form HTTP/1.1\r\n").contains("\r\nContent-Length: 0\r\n").endsWith("\r\n\r\n"));
    }

    @Test
    void theNextRequestOnTheConnectionIsEncodedFromAFreshStart() {
        proxy.clientSends(GET);
        drain(origin);
        proxy.originSends(origin, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
        drain(proxy.client);

        proxy.clientSends("POST /up HTTP/1.1\r\nHost: " + EmbeddedProxy.HOST + "\r\nContent-Length: 5\r\n\r\nhello");

        assertThat(String.join("", written(origin))).startsWith("POST /up HTTP/1.1\r\n").endsWith("\r\n\r\nhello");
    }

    @Test
    void aSmallResponseWholeInOneReadReachesTheClientInOneWrite() {
        assertThat(answered("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")).singleElement()
                .satisfies(response -> assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nhi"));
        assertThat(proxy.idleConnections()).as("back in the pool").isEqualTo(1);
    }

    @Test
    void aResponseWhoseBodyComesLaterIsItsHeadThenItsBody() {
        assertThat(String.join("", answered("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe", "llo")))
                .startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nhello");
        assertThat(proxy.idleConnections()).as("back in the pool").isEqualTo(1);
    }

    @Test
    void aResponseWithoutABodyIsOneWriteAndKeepsItsHeadersOnly() {
        assertThat(answered("HTTP/1.1 204 No Content\r\nX-A: b\r\n\r\n")).singleElement().satisfies(response ->
                assertThat(response).startsWith("HTTP/1.1 204 No Content\r\n").contains("X-A: b\r\n")
                        .endsWith("\r\n\r\n"));
    }

    /** What the client is written for a GET the backend answers with {@code reads}, one read each. */
    private List<String> answered(String... reads) {
        proxy.clientSends(GET);
        drain(origin);
        for (String read : reads) {
            proxy.originSends(origin, read);
        }
        return written(proxy.client);
    }

    /** Each buffer written to {@code channel} since the last look, as text; empty ones included. */
    private static List<String> written(EmbeddedChannel channel) {
        List<String> out = new ArrayList<>();
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) msg;
            out.add(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return out;
    }
}
