package io.mesoslb.server;

import io.mesoslb.server.proxy.ProxyStatus;
import io.mesoslb.server.testing.FullAcceptQueue;
import io.mesoslb.server.testing.OutcomeRecorder;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.LoopbackPort;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.channels.NotYetConnectedException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What is sent again after a backend connection breaks, and what never is. */
class RetryTest extends OneAppProxyTest {

    @Test
    void getResetBeforeAnyResponseIsRetriedOnAnotherBackend() throws Exception {
        TestOrigin closing = use(TestOrigin.closing());
        TestOrigin up = use(TestOrigin.marker("up"));
        ProxyFixture proxy = use(new ProxyFixture(c -> c.outlierConsecutiveFailures(0), recorder)).app(APP, closing, up);
        try (RawHttp c = new RawHttp(proxy.port())) {
            for (String method : new String[] {"GET", "HEAD", "OPTIONS", "GET"}) {
                RawHttp.Response r = c.send(method + " / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read(method.equals("HEAD"));
                assertThat(r.status()).as(method).isEqualTo(200);
            }
        }
        assertThat(closing.requests.get()).as("some requests met the resetting backend first").isPositive();
        assertThat(up.requests.get()).isEqualTo(4);
        assertThat(recorder.failures(closing.backend(APP))).as("each reset counts against the backend")
                .isEqualTo(closing.requests.get());
    }

    @Test
    void postThatReachedABackendIsNeverSentAgain() throws Exception {
        TestOrigin closing = use(TestOrigin.closing());
        TestOrigin up = use(TestOrigin.echo());
        ProxyFixture proxy = use(new ProxyFixture(c -> c.connectRetries(3).outlierConsecutiveFailures(0)))
                .app(APP, closing, up);
        int posts = 8;
        int failed = 0;
        for (int i = 0; i < posts; i++) {
            try (RawHttp c = new RawHttp(proxy.port())) {
                String body = i % 2 == 0 ? "payload" : "";
                RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: " + body.length()
                        + "\r\n\r\n" + body).read();
                if (r.status() == 502) {
                    failed++;
                } else {
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.text()).isEqualTo(body);
                }
            }
        }
        assertThat(closing.requests.get() + up.requests.get()).as("every POST reached exactly one backend once")
                .isEqualTo(posts);
        assertThat(failed).isEqualTo(closing.requests.get()).isPositive();
    }

    @Test
    void getOnAStalePooledConnectionIsSentAgainOnAFreshOne() throws Exception {
        TestOrigin origin = use(TestOrigin.oneRequestPerConnection("fresh"));
        ProxyFixture proxy = use(new ProxyFixture(c -> c.connectRetries(0).outlierConsecutiveFailures(1), recorder))
                .app(APP, origin);
        try (RawHttp c = new RawHttp(proxy.port())) {
            for (int i = 0; i < 5; i++) {
                RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read();
                assertThat(r.status()).as("request %d", i).isEqualTo(200);
                assertThat(r.text()).isEqualTo("fresh");
            }
        }
        assertThat(origin.connections.get()).isEqualTo(5);
        assertThat(origin.requests.get()).as("four went down a stale pooled connection first").isEqualTo(9);
        assertThat(recorder.failures()).as("a stale idle connection is no mark against the backend").isZero();
    }

    @Test
    void backendClosingIdleKeepAliveConnectionsCausesNoError() throws Exception {
        TestOrigin origin = use(TestOrigin.closingIdleConnections("ok", 100));
        ProxyFixture proxy = use(new ProxyFixture(c -> c.connectRetries(0), recorder)).app(APP, origin);
        try (RawHttp c = new RawHttp(proxy.port())) {
            for (int i = 0; i < 3; i++) {
                assertThat(c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().text()).isEqualTo("ok");
                int seen = i + 1;
                Await.until(WAIT, () -> origin.connections.get() == seen
                        && origin.channels.stream().noneMatch(io.netty.channel.Channel::isActive),
                        "the backend closed its idle connection");
            }
        }
        assertThat(origin.requests.get()).isEqualTo(3);
        assertThat(recorder.failures()).isZero();
    }

    @Test
    void postOnAStalePooledConnectionIsNotReplayed() throws Exception {
        TestOrigin origin = use(TestOrigin.oneRequestPerConnection("fresh"));
        ProxyFixture proxy = use(new ProxyFixture(c -> c, recorder)).app(APP, origin);
        try (RawHttp c = new RawHttp(proxy.port())) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status()).isEqualTo(200);
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 2\r\n\r\nhi").read();
            assertThat(r.status()).isEqualTo(502);
        }
        assertThat(origin.requests.get()).as("the POST was seen once, on the stale connection").isEqualTo(2);
        assertThat(origin.connections.get()).isEqualTo(1);
        assertThat(recorder.outcomes).extracting(OutcomeRecorder.Outcome::status).containsOnlyNulls();
    }

    @Test
    void connectFailureRetryAlsoCoversPosts() throws Exception {
        TestOrigin up = use(TestOrigin.echo());
        ProxyFixture proxy = use(new ProxyFixture(c -> c, recorder));
        proxy.app(APP, new io.mesoslb.core.Backend("127.0.0.1", use(LoopbackPort.refusing()).port(), "gone", APP),
                up.backend(APP));
        for (int i = 0; i < 4; i++) {
            try (RawHttp c = new RawHttp(proxy.port())) {
                RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 3\r\n\r\nabc").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).isEqualTo("abc");
            }
        }
        assertThat(up.requests.get()).isEqualTo(4);
        assertThat(recorder.outcomes).extracting(OutcomeRecorder.Outcome::status)
                .contains(ProxyStatus.CONNECT_FAILED);
    }

    /** A client's GET, which the proxy is connecting for, to a backend that accepts nothing yet. */
    private record WaitingForAConnect(FullAcceptQueue backend, ProxyFixture proxy, RawHttp client, Channel connecting) {
    }

    private WaitingForAConnect waitingForAConnect() throws IOException {
        FullAcceptQueue backend = use(new FullAcceptQueue());
        // Connects wait until the backend accepts them: long enough for the test to decide when.
        ProxyFixture proxy = use(new ProxyFixture(c -> c.connectTimeout("30s"), recorder))
                .app(APP, backend.backend("t1", APP));
        RawHttp client = use(new RawHttp(proxy.port()));
        client.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n");
        return new WaitingForAConnect(backend, proxy, client, proxy.awaitBackendConnection(WAIT, null));
    }

    @Test
    void aConnectClosedUnderTheProxyIsMadeAgainAndCountsAgainstNoOne() throws Exception {
        WaitingForAConnect w = waitingForAConnect();
        // What the epoll transport does to a socket whose connect is not done when an event meant for a socket
        // closed just before under the same descriptor number reaches it: the read fails, the channel closes.
        w.connecting().pipeline().fireExceptionCaught(new NotYetConnectedException());
        Await.until(WAIT, () -> !w.connecting().isOpen(), "the first connection closed");
        assertThat(w.proxy().awaitBackendConnection(WAIT, w.connecting())).as("made again").isNotNull();

        w.backend().accept();
        w.backend().accept();
        Socket origin = w.backend().accept();
        InputStream in = origin.getInputStream();
        StringBuilder head = new StringBuilder();
        for (int b = in.read(); b >= 0 && !head.append((char) b).toString().endsWith("\r\n\r\n"); b = in.read()) {
            // the request head, up to its empty line
        }
        assertThat(head.toString()).startsWith("GET / HTTP/1.1\r\n");
        origin.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                .getBytes(StandardCharsets.US_ASCII));
        RawHttp.Response r = w.client().read();
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("ok");
        assertThat(recorder.failures()).isZero();
    }

    @Test
    void aClientLeavingWhileItsBackendIsConnectedCountsNothingAgainstTheBackend() throws Exception {
        WaitingForAConnect w = waitingForAConnect();
        w.client().close();
        LbServer server = w.proxy().server;
        Await.until(WAIT, () -> server.clients().isEmpty() && server.pools().activeConnections() == 0,
                "the client connection and its backend connection closed");
        assertThat(recorder.outcomes).isEmpty();
    }
}
