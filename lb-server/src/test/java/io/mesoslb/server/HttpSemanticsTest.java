package io.mesoslb.server;

import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.RecordedRequest;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpSemanticsTest {
    private final TestOrigin echo = TestOrigin.echo();
    private final TestOrigin chunked = TestOrigin.chunked("hello ", "world");
    private final ProxyFixture proxy = new ProxyFixture().app("/echo", echo).app("/chunked", chunked);

    @AfterEach
    void stop() {
        proxy.close();
        echo.close();
        chunked.close();
    }

    @Test
    void http10ClientGetsItsResponseAndTheConnectionCloses() throws Exception {
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send("GET / HTTP/1.0\r\nHost: chunked.test.local\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.version()).isEqualTo("HTTP/1.0");
            assertThat(r.header("transfer-encoding")).as("HTTP/1.0 has no chunked coding").isNull();
            assertThat(r.text()).isEqualTo("hello world");
            assertThat(c.closedByPeer()).isTrue();
        }
        // The backend still spoke HTTP/1.1 and kept its connection.
        assertThat(chunked.recorded.poll().version()).isEqualTo("HTTP/1.1");
    }

    @Test
    void absoluteFormTargetRoutesByItsHostAndReachesTheBackendInOriginForm() throws Exception {
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send("GET HTTP://Echo.Test.Local:8080/a/b?x=1#frag HTTP/1.1\r\nHost: chunked.test.local\r\n\r\n")
                    .read();
            assertThat(r.status()).isEqualTo(200);
            RawHttp.Response bare = c.send("OPTIONS http://echo.test.local HTTP/1.1\r\nHost: chunked.test.local\r\n\r\n").read();
            assertThat(bare.status()).isEqualTo(200);
        }
        assertThat(chunked.requests.get()).as("the Host header is ignored").isZero();
        RecordedRequest seen = echo.recorded.poll();
        assertThat(seen.uri()).isEqualTo("/a/b?x=1");
        assertThat(seen.headers().getAll("Host")).containsExactly("Echo.Test.Local:8080");
        assertThat(echo.recorded.poll().uri()).as("OPTIONS without a path").isEqualTo("*");
    }

    @Test
    void absoluteFormWithUserinfoIsRefused() throws Exception {
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send("GET http://user@echo.test.local/ HTTP/1.1\r\nHost: echo.test.local\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.text()).contains("no host in the request target");
        }
        assertThat(echo.requests.get()).isZero();
    }

    @Test
    void anHttp10BackendsCloseDelimitedBodyIsChunkedSoTheClientKeepsItsConnection() throws Exception {
        String body = "old school ".repeat(2000);
        try (TestOrigin old = TestOrigin.http10(body)) {
            proxy.app("/old", old);
            try (RawHttp c = new RawHttp(proxy.port())) {
                for (int i = 0; i < 2; i++) {
                    RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: old.test.local\r\n\r\n").read();
                    assertThat(r.version()).isEqualTo("HTTP/1.1");
                    assertThat(r.header("via")).isEqualTo("1.0 mesos-lb");
                    assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
                    assertThat(r.header("connection")).isNull();
                    assertThat(r.text()).isEqualTo(body);
                }
            }
            assertThat(old.connections.get()).as("the backend closed each one").isEqualTo(2);
        }
    }

    @Test
    void connectIsRefusedWithoutReachingABackend() throws Exception {
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send("CONNECT echo.test.local:443 HTTP/1.1\r\nHost: echo.test.local:443\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(501);
            assertThat(r.text()).contains("CONNECT is not supported");
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(echo.requests.get()).isZero();
    }

    @Test
    void twoHostHeadersAreRefusedAndTheConnectionCloses() throws Exception {
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: echo.test.local\r\nHost: chunked.test.local\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.text()).contains("more than one Host header");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(echo.requests.get() + chunked.requests.get()).isZero();
    }

    @Test
    void http10KeepAliveIsHonoured() throws Exception {
        try (RawHttp c = new RawHttp(proxy.port())) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Response r = c.send("POST / HTTP/1.0\r\nHost: echo.test.local\r\nConnection: keep-alive\r\n"
                        + "Content-Length: 2\r\n\r\nhi").read();
                assertThat(r.text()).isEqualTo("hi");
                assertThat(r.header("connection")).isEqualToIgnoringCase("keep-alive");
            }
        }
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: echo.test.local\r\nConnection: close\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
        // "Connection: close" is the client's hop: the backend connection stays pooled.
        assertThat(echo.recorded.poll().headers().contains("Connection")).isFalse();
    }

    @Test
    void hopByHopHeadersAreStrippedAndForwardingHeadersAdded() throws Exception {
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send("GET /h HTTP/1.1\r\nHost: Echo.Test.Local:8080\r\n"
                    + "Connection: keep-alive, X-Secret-Hop\r\n"
                    + "X-Secret-Hop: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nTrailer: X-T\r\n"
                    + "Proxy-Connection: keep-alive\r\nUpgrade: h2c\r\n"
                    + "X-Forwarded-For: 203.0.113.7\r\nVia: 1.1 edge\r\nX-Kept: yes\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("via")).isEqualTo("1.1 mesos-lb");
        }
        RecordedRequest seen = echo.recorded.poll();
        var h = seen.headers();
        assertThat(h.contains("Connection")).isFalse();
        assertThat(h.contains("X-Secret-Hop")).isFalse();
        assertThat(h.contains("Keep-Alive")).isFalse();
        assertThat(h.contains("TE")).isFalse();
        assertThat(h.contains("Trailer")).isFalse();
        assertThat(h.contains("Proxy-Connection")).isFalse();
        assertThat(h.contains("Upgrade")).isFalse();
        assertThat(h.get("X-Kept")).isEqualTo("yes");
        assertThat(h.get("Host")).isEqualTo("Echo.Test.Local:8080");
        // The peer is no trusted proxy, so the X-Forwarded-For it sent may be forged: only the peer goes on.
        assertThat(h.get("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(h.get("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(h.get("X-Forwarded-Port")).isEqualTo(Integer.toString(proxy.port()));
        assertThat(h.get("X-Forwarded-Host")).isEqualTo("Echo.Test.Local:8080");
        assertThat(h.get("Via")).isEqualTo("1.1 edge, 1.1 mesos-lb");
    }

    @Test
    void forwardingHeadersTheClientSentAreReplacedNotAppended() throws Exception {
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send("GET /f HTTP/1.1\r\nHost: echo.test.local\r\n"
                    + "x-forwarded-proto: https\r\nX-FORWARDED-PORT: 1\r\nX-Forwarded-Host: forged.example\r\n"
                    + "X-Forwarded-Host: again.example\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
        }
        var h = echo.recorded.poll().headers();
        assertThat(h.getAll("X-Forwarded-Proto")).containsExactly("http");
        assertThat(h.getAll("X-Forwarded-Port")).containsExactly(Integer.toString(proxy.port()));
        assertThat(h.getAll("X-Forwarded-Host")).containsExactly("echo.test.local");
        assertThat(h.getAll("X-Forwarded-For")).containsExactly("127.0.0.1");
        assertThat(h.getAll("Via")).containsExactly("1.1 mesos-lb");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            String body = "body-" + i;
            batch.append("POST /").append(i).append(" HTTP/1.1\r\nHost: echo.test.local\r\nContent-Length: ")
                    .append(body.length()).append("\r\n\r\n").append(body);
        }
        batch.append("GET /end HTTP/1.1\r\nHost: chunked.test.local\r\n\r\n");
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send(batch.toString());
            for (int i = 0; i < 20; i++) {
                assertThat(c.read().text()).isEqualTo("body-" + i);
            }
            assertThat(c.read().text()).isEqualTo("hello world");
        }
    }

    @Test
    void aThousandPipelinedRequestsInOneWriteAreAllAnswered() throws Exception {
        // Beyond the codec's own limit of 128 requests awaiting responses, which used to reset the connection.
        int n = 1_000;
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < n; i++) {
            batch.append("GET /").append(i).append(" HTTP/1.1\r\nHost: echo.test.local\r\n\r\n");
        }
        try (RawHttp c = new RawHttp(proxy.port())) {
            // Written from another thread: the proxy may stop reading while it works through them.
            java.util.concurrent.CompletableFuture<Void> written = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    c.send(batch.toString());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            for (int i = 0; i < n; i++) {
                RawHttp.Response r = c.read();
                assertThat(r.status()).as("response %d", i).isEqualTo(200);
            }
            written.get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(echo.recorded).extracting(RecordedRequest::uri).hasSize(n).startsWith("/0", "/1").endsWith("/999");
    }

    @Test
    void chunkedRequestBodyIsRelayed() throws Exception {
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: echo.test.local\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").read();
            assertThat(r.text()).isEqualTo("hello world");
        }
    }

    @Test
    void chunkedUploadsBetweenPlainRequestsOnOneKeptConnectionAreEachAnswered() throws Exception {
        // Read in place; with a trailer (Netty's decoder reads the body's end); with the coding
        // spelled Chunked (Netty's decoder reads the whole request). The requests after each are read in place again.
        List<String> uploads = List.of(
                "POST /in-place HTTP/1.1\r\nHost: echo.test.local\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
                "POST /trailer HTTP/1.1\r\nHost: echo.test.local\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n0\r\nX-Checksum: 1\r\n\r\n",
                "POST /spelling HTTP/1.1\r\nHost: echo.test.local\r\nTransfer-Encoding: Chunked\r\n\r\n"
                        + "3\r\nabc\r\n0\r\n\r\n");
        List<String> bodies = List.of("hello world", "hello", "abc");
        String get = "GET / HTTP/1.1\r\nHost: chunked.test.local\r\n\r\n";
        String head = "HEAD / HTTP/1.1\r\nHost: chunked.test.local\r\n\r\n";
        try (RawHttp c = new RawHttp(proxy.port())) {
            for (int i = 0; i < uploads.size(); i++) {
                assertThat(c.send(uploads.get(i)).read().text()).isEqualTo(bodies.get(i));
                assertThat(c.send(get).read().text()).isEqualTo("hello world");
                RawHttp.Response h = c.send(head).read(true);
                assertThat(h.status()).isEqualTo(200);
                assertThat(h.body()).isEmpty();
                assertThat(c.send(get).read().text()).isEqualTo("hello world");
            }
            // The same, each upload with the plain requests pipelined behind it in one write.
            StringBuilder batch = new StringBuilder();
            for (String upload : uploads) {
                batch.append(upload).append(get).append(head).append(get);
            }
            c.send(batch.toString());
            for (String body : bodies) {
                assertThat(c.read().text()).isEqualTo(body);
                assertThat(c.read().text()).isEqualTo("hello world");
                assertThat(c.read(true).body()).isEmpty();
                assertThat(c.read().text()).isEqualTo("hello world");
            }
        }
        assertThat(echo.recorded).extracting(RecordedRequest::uri)
                .containsExactly("/in-place", "/trailer", "/spelling", "/in-place", "/trailer", "/spelling");
        assertThat(echo.connections.get()).as("one kept backend connection").isEqualTo(1);
    }

    @Test
    void headResponseHasNoBody() throws Exception {
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response head = c.send("HEAD / HTTP/1.1\r\nHost: chunked.test.local\r\n\r\n").read(true);
            assertThat(head.status()).isEqualTo(200);
            // The same connection still works, so no stray body bytes were relayed.
            assertThat(c.send("GET / HTTP/1.1\r\nHost: chunked.test.local\r\n\r\n").read().text()).isEqualTo("hello world");
        }
    }

    @Test
    void expectContinueIsForwardedAndTheClientWaitsForTheBackendsContinue() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String body = "x".repeat(100_000);
        HttpRequest req = proxy.request("echo.test.local", "/upload").expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(20)).build();

        HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(body);
        assertThat(echo.recorded.poll().headers().get("Expect")).isEqualToIgnoringCase("100-continue");
    }

    @Test
    void expectContinueOverRawSocketSees100BeforeSendingTheBody() throws Exception {
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send("POST / HTTP/1.1\r\nHost: echo.test.local\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
            RawHttp.Response interim = c.read();
            assertThat(interim.status()).isEqualTo(100);
            RawHttp.Response r = c.send("ping").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("ping");
        }
    }

    /**
     * A final response to an {@code Expect: 100-continue} request, before any 100: the client may
     * never send its body (RFC 9110 10.1.1), so the connection cannot stay open with the proxy
     * waiting to drop that many bytes; they would be taken from the client's next request instead.
     */
    @Test
    void aFinalAnswerInsteadOfContinueClosesTheConnection() throws Exception {
        try (TestOrigin refusing = TestOrigin.answeringHeads(io.netty.handler.codec.http.HttpResponseStatus.UNAUTHORIZED,
                "log in first");
                RawHttp c = new RawHttp(proxy.port())) {
            proxy.app("/refusing", refusing);
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: refusing.test.local\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 5\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(c.closedByPeer()).isTrue();
        }
    }
}
