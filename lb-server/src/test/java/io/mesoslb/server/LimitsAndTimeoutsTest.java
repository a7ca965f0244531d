package io.mesoslb.server;

import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.testkit.Await;
import io.netty.channel.Channel;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** Client-side timeouts and request size limits. */
class LimitsAndTimeoutsTest extends OneAppProxyTest {

    private static void assertError(RawHttp.Response r, int status, String text) {
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.header("connection")).isEqualTo("close");
        assertThat(r.text()).contains(text);
    }

    @Test
    void slowlorisClientGets408AndIsClosed() throws Exception {
        TestOrigin origin = use(TestOrigin.marker("x"));
        ProxyFixture proxy = use(new ProxyFixture(c -> c.requestHeaderTimeout("300ms"))).app(APP, origin);
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\nX-Dribble: 1\r\n");
            assertError(c.read(), 408, "request headers not received within 300 ms");
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(origin.requests.get()).isZero();
    }

    @Test
    void connectionThatNeverSendsIsClosedWithoutAResponse() throws Exception {
        ProxyFixture proxy = use(new ProxyFixture(c -> c.requestHeaderTimeout("300ms")));
        try (RawHttp c = new RawHttp(proxy.port())) {
            assertThat(c.socket().getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void idleKeepAliveConnectionIsLeftToTheIdleTimeoutNotTheHeaderTimeout() throws Exception {
        TestOrigin origin = use(TestOrigin.marker("x"));
        ProxyFixture proxy = use(new ProxyFixture(c -> c.requestHeaderTimeout("300ms"))).app(APP, origin);
        try (RawHttp idle = new RawHttp(proxy.port())) {
            assertThat(idle.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status()).isEqualTo(200);
            // A second client that stalls mid-head: its 408 proves the header timeout has passed.
            try (RawHttp slow = new RawHttp(proxy.port())) {
                slow.send("GET / HTTP/1.1\r\n");
                assertThat(slow.read().status()).isEqualTo(408);
            }
            assertThat(idle.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status()).isEqualTo(200);
        }
    }

    @Test
    void idleKeepAliveClientConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        TestOrigin origin = use(TestOrigin.marker("x"));
        ProxyFixture proxy = use(new ProxyFixture(c -> c.clientIdleTimeout("300ms"))).app(APP, origin);
        try (RawHttp c = new RawHttp(proxy.port())) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status()).isEqualTo(200);
            // Blocks until the proxy closes; a connection never closed fails on the socket's read timeout.
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void clientWaitingForASlowBackendIsNotIdle() throws Exception {
        TestOrigin silent = use(TestOrigin.silent());
        ProxyFixture proxy = use(new ProxyFixture(c -> c.clientIdleTimeout("200ms").responseTimeout("1s")))
                .app(APP, silent);
        try (RawHttp c = new RawHttp(proxy.port())) {
            // Several idle periods pass while the backend works; the response timeout, not the idle one, ends it.
            assertError(c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read(), 504, "did not respond");
        }
    }

    @Test
    void clientTakingItsTimeAfterA100ContinueIsNotABackendTimeout() throws Exception {
        TestOrigin echo = use(TestOrigin.echo());
        TestOrigin silent = use(TestOrigin.silent());
        // 2 s: the echo's 100 and its answer take milliseconds, far within it on a loaded machine too; the probe
        // waits it out.
        ProxyFixture proxy = use(new ProxyFixture(c -> c.responseTimeout("2s"))).app(APP, echo).app("/silent", silent);
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send("POST / HTTP/1.1\r\nHost: " + HOST + "\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(100);
            // The backend asked for the body: until it is sent, the silence is the client's, not the backend's.
            try (RawHttp probe = new RawHttp(proxy.port())) {
                assertThat(probe.send("GET / HTTP/1.1\r\nHost: silent.test.local\r\n\r\n").read().status())
                        .as("a whole response timeout has passed").isEqualTo(504);
            }
            RawHttp.Response r = c.send("ping").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("ping");
        }
    }

    @Test
    void headerTimeoutAppliesToEveryRequestOfAKeepAliveConnection() throws Exception {
        TestOrigin origin = use(TestOrigin.marker("x"));
        ProxyFixture proxy = use(new ProxyFixture(c -> c.requestHeaderTimeout("300ms"))).app(APP, origin);
        try (RawHttp c = new RawHttp(proxy.port())) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status()).isEqualTo(200);
            c.send("GET /second HTTP/1.1\r\nHost: ");
            assertError(c.read(), 408, "request headers");
        }
        assertThat(origin.requests.get()).isEqualTo(1);
    }

    @Test
    void oversizedHeaderBlockIs431() throws Exception {
        TestOrigin origin = use(TestOrigin.marker("x"));
        ProxyFixture proxy = use(new ProxyFixture(c -> c.maxHeaderSize(2048))).app(APP, origin);
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\nX-Big: " + "b".repeat(4000) + "\r\n\r\n")
                    .read();
            assertError(r, 431, "request headers larger than 2048 bytes");
        }
        assertThat(origin.requests.get()).isZero();
    }

    @Test
    void longRequestLineIs414() throws Exception {
        TestOrigin origin = use(TestOrigin.marker("x"));
        ProxyFixture proxy = use(new ProxyFixture(c -> c.maxInitialLineLength(1024))).app(APP, origin);
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send("GET /" + "p".repeat(3000) + " HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read();
            assertError(r, 414, "request line longer than 1024 bytes");
        }
        assertThat(origin.requests.get()).isZero();
    }

    @Test
    void declaredBodyOverTheLimitIs413BeforeAnyBackendIsContacted() throws Exception {
        TestOrigin origin = use(TestOrigin.sink());
        ProxyFixture proxy = use(new ProxyFixture(c -> c.maxRequestBody(1000L))).app(APP, origin);
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send("POST / HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 5000000\r\n\r\n");
            // The client goes on sending for a while; the proxy drops it instead of resetting the connection.
            c.out().write(new byte[1 << 20]);
            c.out().flush();
            assertError(c.read(), 413, "request body larger than 1000 bytes");
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(origin.connections.get()).isZero();
    }

    @Test
    void chunkedBodyOverTheLimitIsCutWith413() throws Exception {
        TestOrigin sink = use(TestOrigin.sink());
        ProxyFixture proxy = use(new ProxyFixture(c -> c.maxRequestBody(1000L), recorder)).app(APP, sink);
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send("POST / HTTP/1.1\r\nHost: " + HOST + "\r\nTransfer-Encoding: chunked\r\n\r\n");
            c.send("258\r\n" + "a".repeat(600) + "\r\n");
            Await.until(WAIT, () -> sink.bodyBytes.get() == 600, "first chunk at the backend");
            c.send("258\r\n" + "a".repeat(600) + "\r\n");
            assertError(c.read(), 413, "request body larger than 1000 bytes");
        }
        Await.until(WAIT, () -> sink.channels.stream().noneMatch(Channel::isActive), "backend connection closed");
        assertThat(sink.bodyBytes.get()).as("never more than the limit reaches the backend").isBetween(600L, 1000L);
        assertThat(recorder.failures()).as("the client's fault, not the backend's").isZero();
    }

    @Test
    void bodiesWithinTheLimitPass() throws Exception {
        TestOrigin echo = use(TestOrigin.echo());
        ProxyFixture proxy = use(new ProxyFixture(c -> c.maxRequestBody(1000L))).app(APP, echo);
        try (RawHttp c = new RawHttp(proxy.port())) {
            String body = "z".repeat(1000);
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 1000\r\n\r\n" + body)
                    .read();
            assertThat(r.text()).isEqualTo(body);
            r = c.send("POST / HTTP/1.1\r\nHost: " + HOST + "\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3e8\r\n" + body + "\r\n0\r\n\r\n").read();
            assertThat(r.text()).isEqualTo(body);
        }
    }

    @Test
    void requestTimeoutGives408WhileTheClientIsStillSending() throws Exception {
        TestOrigin sink = use(TestOrigin.sink());
        ProxyFixture proxy = use(new ProxyFixture(c -> c.requestTimeout("300ms"), recorder)).app(APP, sink);
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send("POST / HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 10\r\n\r\nab");
            assertError(c.read(), 408, "request not completed within 300 ms");
        }
        Await.until(WAIT, () -> sink.channels.stream().noneMatch(Channel::isActive), "backend connection closed");
        assertThat(recorder.failures()).isZero();
    }

    @Test
    void requestTimeoutGives504WhileWaitingForTheBackend() throws Exception {
        TestOrigin silent = use(TestOrigin.silent());
        ProxyFixture proxy = use(new ProxyFixture(c -> c.requestTimeout("300ms").responseTimeout("60s"), recorder))
                .app(APP, silent);
        try (RawHttp c = new RawHttp(proxy.port())) {
            assertError(c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read(), 504, "within 300 ms");
        }
        Await.until(WAIT, () -> silent.channels.stream().noneMatch(Channel::isActive), "backend connection closed");
        assertThat(recorder.failures(silent.backend(APP))).isEqualTo(1);
    }

    @Test
    void requestTimeoutCutsAResponseThatTakesTooLong() throws Exception {
        java.util.concurrent.CompletableFuture<Void> never = new java.util.concurrent.CompletableFuture<>();
        TestOrigin stalling = use(TestOrigin.download(1 << 20, 1000, never));
        ProxyFixture proxy = use(new ProxyFixture(c -> c.requestTimeout("300ms"), recorder)).app(APP, stalling);
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n");
            InputStream in = c.socket().getInputStream();
            byte[] all = in.readAllBytes();
            assertThat(new String(all, 0, 15)).isEqualTo("HTTP/1.1 200 OK");
            assertThat(all.length).as("cut short: only the first 1000 body bytes came").isLessThan(2000);
        }
        assertThat(recorder.failures()).as("a slow response is not counted against the backend").isZero();
    }
}
