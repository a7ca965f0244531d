package io.mesoslb.server;

import io.mesoslb.server.smuggling.RecordingOrigin;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.Backend;
import io.mesoslb.testkit.Await;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Response-side desync: a backend that sends bytes past the end of its response (a body on a HEAD,
 * 204 or 304 answer, more than its {@code Content-Length}, or anything at all once it has answered)
 * must not have them read as the next client's response. The stray bytes end without a line break,
 * so a decoder keeps them rather than failing on them. One worker thread and one backend, so the
 * poisoned connection is the one the next client would be given from the pool.
 */
class ResponseLeftoverTest {
    private static final String HOST = "www." + ProxyFixture.DOMAIN;
    /** A header line cut short, and a status line followed by one: glued onto the next head either way. */
    private static final String EVIL = "X-Evil: 1";
    private static final String EVIL_HEAD = "HTTP/1.1 200 OK\r\n" + EVIL;

    private final RecordingOrigin origin = SmugglingTest.newOrigin();
    private final ProxyFixture proxy = new ProxyFixture(c -> c.workerThreads(1).responseTimeout("2s"))
            .app("/www", new Backend("127.0.0.1", origin.port(), "www.recording", "/www"));

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        origin.close();
    }

    static Stream<Arguments> leftovers() {
        return Stream.of(
                Arguments.of("HEAD answered with its body", "HEAD", 200, false,
                        new String[] {"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n" + EVIL}),
                Arguments.of("204 with a body", "GET", 204, false,
                        new String[] {"HTTP/1.1 204 No Content\r\n\r\n" + EVIL}),
                Arguments.of("304 with a body", "GET", 304, false,
                        new String[] {"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n" + EVIL_HEAD}),
                Arguments.of("more than Content-Length", "GET", 200, false,
                        new String[] {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" + EVIL_HEAD}),
                Arguments.of("bytes after the response, on the idle pooled connection", "GET", 200, true,
                        new String[] {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", EVIL_HEAD}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("leftovers")
    void strayBytesNeverReachTheNextClient(String name, String method, int status, boolean strayLater,
                                           String[] answer) throws Exception {
        origin.script("/stray", answer);
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send(method + " /stray HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n")
                    .read(method.equals("HEAD"));
            assertThat(r.status()).isEqualTo(status);
        }
        if (strayLater) {
            // The stray write may reach the proxy after the client has its answer: wait for the proxy
            // to act on it, so the next client cannot take the connection before it is poisoned.
            awaitPoisonedConnectionClosed();
        }
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send("GET /canary HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read();
            assertThat(r.status()).as("the next client's own answer").isEqualTo(200);
            assertThat(r.text()).isEqualTo("seen /canary");
            assertThat(r.header("X-Evil")).as("no header of the stray bytes").isNull();
        }
        awaitPoisonedConnectionClosed();
        assertThat(origin.answered).containsExactly("/stray", "/canary");
    }

    private void awaitPoisonedConnectionClosed() {
        Await.until(Duration.ofSeconds(5), () -> origin.closedByPeer.get() >= 1,
                "the proxy closes the connection that carried stray bytes");
    }
}
