package io.mesoslb.server;

import io.mesoslb.server.proxy.ProxyStatus;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.FullAcceptQueue;
import io.mesoslb.server.testing.OutcomeRecorder;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.Backend;
import io.mesoslb.testkit.LoopbackPort;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ErrorResponsesTest {
    @RegisterExtension
    final Closer closer = new Closer();

    private <T extends AutoCloseable> T use(T resource) {
        return closer.use(resource);
    }

    private static void assertTextError(HttpResponse<String> r, int status, String bodyPart) {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(r.body()).contains(bodyPart);
    }

    private static void assertTextError(RawHttp.Response r, int status, String bodyPart) {
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.header("content-type")).startsWith("text/plain");
        assertThat(r.text()).contains(bodyPart);
    }

    /** A port that refuses connections for as long as the test runs. */
    private int refusedPort() {
        return use(LoopbackPort.refusing()).port();
    }

    @Test
    void missingHostIs400() throws Exception {
        ProxyFixture proxy = use(new ProxyFixture());
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\n\r\n").read();
            assertTextError(r, 400, "Host");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void malformedRequestIs400() throws Exception {
        ProxyFixture proxy = use(new ProxyFixture());
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n").read();
            assertTextError(r, 400, "bad request");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void oversizedRequestLineIs414() throws Exception {
        ProxyFixture proxy = use(new ProxyFixture(b -> b.maxInitialLineLength(1024)));
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send("GET /" + "a".repeat(2000) + " HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertTextError(r, 414, "request line longer than 1024 bytes");
        }
    }

    @Test
    void unknownHostIs404NamingTheHost() throws Exception {
        ProxyFixture proxy = use(new ProxyFixture());
        HttpResponse<String> r = proxy.get("nowhere.example.org", "/");
        assertTextError(r, 404, "nowhere.example.org");
    }

    @Test
    void unknownHostKeepsTheConnectionForTheNextRequest() throws Exception {
        TestOrigin origin = use(TestOrigin.marker("ok"));
        ProxyFixture proxy = use(new ProxyFixture()).app("/alpha", origin);
        try (RawHttp c = new RawHttp(proxy.port())) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: nowhere\r\n\r\n").read().status()).isEqualTo(404);
            assertThat(c.send("GET / HTTP/1.1\r\nHost: alpha.test.local\r\n\r\n").read().text()).isEqualTo("ok");
        }
    }

    @Test
    void unknownHostGoesToTheDefaultAppWhenConfigured() throws Exception {
        TestOrigin fallback = use(TestOrigin.marker("fallback"));
        ProxyFixture proxy = use(new ProxyFixture(b -> b.defaultApp("/fallback"))).app("/fallback", fallback);
        HttpResponse<String> r = proxy.get("nowhere.example.org", "/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("fallback");
    }

    @Test
    void appWithoutBackendsIs503() throws Exception {
        ProxyFixture proxy = use(new ProxyFixture()).app("/empty", new Backend[0]);
        assertTextError(proxy.get("empty.test.local", "/"), 503, "/empty");
    }

    @Test
    void refusedConnectionIs502() throws Exception {
        ProxyFixture proxy = use(new ProxyFixture()).app("/down", new Backend("127.0.0.1", refusedPort(), "t1", "/down"));
        assertTextError(proxy.get("down.test.local", "/"), 502, "/down");
    }

    @Test
    void connectFailureIsRetriedOnAnotherBackend() throws Exception {
        TestOrigin up = use(TestOrigin.marker("up"));
        Backend down = new Backend("127.0.0.1", refusedPort(), "t0-down", "/mixed");
        ProxyFixture proxy = use(new ProxyFixture()).app("/mixed", down, up.backend("/mixed"));
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = proxy.get("mixed.test.local", "/");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("up");
        }
    }

    private final OutcomeRecorder recorder = new OutcomeRecorder();

    @Test
    void anAgentNameDiscoveryCouldNotResolveIsAConnectFailureNotADnsLookupOnTheLoop() throws Exception {
        TestOrigin up = use(TestOrigin.marker("up"));
        // "localhost" would resolve: the proxy must not try, only discovery resolves names.
        Backend unresolved = new Backend("localhost", up.port(), "t0-unresolved", "/mixed");
        ProxyFixture proxy = use(new ProxyFixture(b -> b.connectRetries(0), recorder))
                .app("/mixed", unresolved, up.backend("/mixed"));
        int failures = 0;
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = proxy.get("mixed.test.local", "/");
            if (r.statusCode() == 502) {
                failures++;
                assertThat(r.body()).contains("could not connect");
            }
        }
        assertThat(failures).isEqualTo(2);
        assertThat(up.requests.get()).isEqualTo(2);
        assertThat(recorder.failures(unresolved)).isEqualTo(2);
        assertThat(recorder.outcomes).filteredOn(o -> o.status() == ProxyStatus.CONNECT_FAILED).hasSize(2);
        // Resolved (as discovery does), the same task takes traffic.
        proxy.app("/mixed", unresolved.withIp(InetAddress.getLoopbackAddress()));
        assertThat(proxy.get("mixed.test.local", "/").body()).isEqualTo("up");
    }

    @Test
    void noRetryWhenRetriesAreOff() throws Exception {
        TestOrigin up = use(TestOrigin.marker("up"));
        Backend down = new Backend("127.0.0.1", refusedPort(), "t0-down", "/mixed");
        ProxyFixture proxy = use(new ProxyFixture(b -> b.connectRetries(0))).app("/mixed", down, up.backend("/mixed"));
        int failures = 0;
        for (int i = 0; i < 4; i++) {
            if (proxy.get("mixed.test.local", "/").statusCode() == 502) {
                failures++;
            }
        }
        assertThat(failures).isEqualTo(2);
    }

    @Test
    void connectTimeoutIs504() throws Exception {
        FullAcceptQueue full = use(new FullAcceptQueue());
        ProxyFixture proxy = use(new ProxyFixture(b -> b.connectTimeout("300ms"))).app("/stuck", full.backend("t1", "/stuck"));
        assertTextError(proxy.get("stuck.test.local", "/"), 504, "/stuck");
    }

    @Test
    void responseTimeoutIs504() throws Exception {
        TestOrigin silent = use(TestOrigin.silent());
        ProxyFixture proxy = use(new ProxyFixture(b -> b.responseTimeout("300ms"))).app("/slow", silent);
        assertTextError(proxy.get("slow.test.local", "/"), 504, "did not respond");
        assertThat(silent.requests.get()).isEqualTo(1);
    }

    @Test
    void backendClosingBeforeHeadersIs502() throws Exception {
        TestOrigin closing = use(TestOrigin.closing());
        ProxyFixture proxy = use(new ProxyFixture(b -> b.connectRetries(0))).app("/flaky", closing);
        assertTextError(proxy.get("flaky.test.local", "/"), 502, "closed");
    }

    @Test
    void backendDyingMidResponseClosesTheClient() throws Exception {
        ProxyFixture proxy = use(new ProxyFixture());
        // An origin that promises 100 bytes and sends 5 before closing.
        try (ServerSocket liar = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            proxy.app("/cut", new Backend("127.0.0.1", liar.getLocalPort(), "liar", "/cut"));
            try (RawHttp c = new RawHttp(proxy.port())) {
                c.send("GET / HTTP/1.1\r\nHost: cut.test.local\r\n\r\n");
                try (Socket s = liar.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello".getBytes());
                    s.getOutputStream().flush();
                }
                String head = new String(c.socket().getInputStream().readNBytes(17));
                assertThat(head).isEqualTo("HTTP/1.1 200 OK\r\n");
                byte[] rest = c.socket().getInputStream().readAllBytes();
                assertThat(new String(rest)).endsWith("hello");
            }
        }
    }
}
