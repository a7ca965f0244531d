package io.mesoslb.server;

import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.RecordedRequest;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the proxy refuses before anything reaches a backend, and what it takes out of what it
 * forwards: each row of the security audit (issue 11) over a raw socket, the answer a client
 * sees and what the origin saw.
 */
class RequestValidationTest {
    private static final String HOST = "echo.test.local";
    private final TestOrigin echo = TestOrigin.echo();
    private final ProxyFixture proxy = new ProxyFixture().app("/echo", echo);

    @AfterEach
    void stop() {
        proxy.close();
        echo.close();
    }

    private RawHttp.Response send(String wire) throws Exception {
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send(wire).read();
            assertThat(r.version()).as("always an HTTP/1.x answer").isIn("HTTP/1.1", "HTTP/1.0");
            return r;
        }
    }

    @Test
    void connectionNamingAFramingOrRoutingHeaderIsRefusedAndTheConnectionClosed() throws Exception {
        for (String named : new String[] {"content-length", "Content-Length, keep-alive", "close, Transfer-Encoding", "host"}) {
            try (RawHttp c = new RawHttp(proxy.port())) {
                RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: " + named
                        + "\r\nContent-Length: 5\r\n\r\nhello").read();
                assertThat(r.status()).as(named).isEqualTo(400);
                assertThat(r.text()).contains("Connection names");
                assertThat(c.closedByPeer()).isTrue();
            }
        }
        assertThat(echo.requests.get()).isZero();
    }

    @Test
    void otherHeadersNamedInConnectionAreStillStrippedAndFramingKept() throws Exception {
        RawHttp.Response r = send("POST / HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n"
                + "Content-Length: 5\r\n\r\nhello");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("hello");
        RecordedRequest seen = echo.recorded.poll();
        assertThat(seen.headers().contains("X-Hop")).isFalse();
        assertThat(seen.headers().get("Content-Length")).isEqualTo("5");
    }

    @Test
    void underscoreLookalikesOfFramingHeadersAreRefused() throws Exception {
        assertThat(send("POST / HTTP/1.1\r\nHost: " + HOST + "\r\nTransfer_Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello")
                .status()).isEqualTo(400);
        assertThat(send("POST / HTTP/1.1\r\nHost: " + HOST + "\r\nContent_Length: 5\r\n\r\n").status()).isEqualTo(400);
        assertThat(echo.requests.get()).isZero();
    }

    @Test
    void codingsOtherThanChunkedAreNotImplemented() throws Exception {
        for (String te : new String[] {"identity, chunked", "gzip, chunked", "gzip,chunked"}) {
            RawHttp.Response r = send("POST / HTTP/1.1\r\nHost: " + HOST + "\r\nTransfer-Encoding: " + te
                    + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            assertThat(r.status()).as(te).isEqualTo(501);
        }
        // Empty list elements: RFC 9110 5.6.1 tolerates them, nginx and HAProxy refuse them, and so does this.
        for (String te : new String[] {"chunked,", ",chunked", "chunked, ,"}) {
            assertThat(send("POST / HTTP/1.1\r\nHost: " + HOST + "\r\nTransfer-Encoding: " + te
                    + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n").status()).as(te).isEqualTo(400);
        }
        assertThat(send("POST / HTTP/1.1\r\nHost: " + HOST + "\r\nTransfer-Encoding:  CHUNKED \r\n\r\n5\r\nhello\r\n0\r\n\r\n")
                .text()).isEqualTo("hello");
        assertThat(echo.requests.get()).isEqualTo(1);
    }

    @Test
    void targetsWithControlOrNonAsciiBytesOrInNoHttpFormAreRefused() throws Exception {
        for (String target : new String[] {"/a\u0000b", "/a\u0001", "/a\u007f", "/a\u00ff", "@evil.example/a",
                "ftp://evil.example/a", "a/b", "*"}) {
            RawHttp.Response r = send("GET " + target + " HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n");
            assertThat(r.status()).as(target).isEqualTo(400);
        }
        assertThat(echo.requests.get()).isZero();
        // OPTIONS * is the one form that is not a path.
        assertThat(send("OPTIONS * HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").status()).isEqualTo(200);
    }

    @Test
    void versionsOtherThanHttp1AreAnsweredInHttp11() throws Exception {
        RawHttp.Response future = send("GET / HTTP/9.9\r\nHost: " + HOST + "\r\n\r\n");
        assertThat(future.status()).isEqualTo(505);
        assertThat(future.version()).isEqualTo("HTTP/1.1");
        RawHttp.Response preface = send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        assertThat(preface.status()).isEqualTo(400);
        assertThat(preface.version()).isEqualTo("HTTP/1.1");
        // One digit each side of the dot (RFC 9112 2.3): malformed rather than unsupported.
        assertThat(send("GET / HTTP/1.10\r\nHost: " + HOST + "\r\n\r\n").status()).isEqualTo(400);
        assertThat(echo.requests.get()).isZero();
    }

    @Test
    void requestLinesWithWhitespaceOtherThanSingleSpacesOrAMisspelledVersionAreRefused() throws Exception {
        for (String line : new String[] {" GET / HTTP/1.1", "GET  / HTTP/1.1", "GET /  HTTP/1.1", "GET\t\t/ HTTP/1.1",
                "GET / http/1.1", "GET / HTTP/1.01"}) {
            RawHttp.Response r = send(line + "\r\nHost: " + HOST + "\r\n\r\n");
            assertThat(r.status()).as(line).isEqualTo(400);
        }
        assertThat(echo.requests.get()).isZero();
        // Empty lines before a request line are skipped (RFC 9112 2.2).
        assertThat(send("\r\nGET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").status()).isEqualTo(200);
    }

    @Test
    void anHttp10ClientsExpectationIsIgnoredAndItGetsNoInterimResponse() throws Exception {
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send("POST / HTTP/1.0\r\nHost: " + HOST + "\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 5\r\n\r\nhello").read();
            assertThat(r.status()).as("the final response, no 100 first").isEqualTo(200);
            assertThat(r.text()).isEqualTo("hello");
        }
        assertThat(echo.recorded.poll().headers().contains("Expect")).isFalse();
    }

    @Test
    void anHttp10ClientsUpgradeIsIgnoredNotPassedOnAsAnHttp11One() throws Exception {
        // RFC 9110 7.8: Upgrade in an HTTP/1.0 request is ignored. Forwarded as 1.1 with
        // Connection: upgrade, a backend would switch protocols under a client that cannot.
        RawHttp.Response r = send("GET / HTTP/1.0\r\nHost: " + HOST + "\r\nConnection: Upgrade\r\n"
                + "Upgrade: websocket\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        RecordedRequest seen = echo.recorded.poll();
        assertThat(seen.headers().contains("Upgrade")).isFalse();
        assertThat(seen.headers().contains("Connection")).isFalse();
    }

    @Test
    void hostAndOtherForbiddenFieldsInRequestTrailersAreNotForwarded() throws Exception {
        try (TestOrigin trailers = TestOrigin.trailerEcho()) {
            proxy.app("/trailers", trailers);
            RawHttp.Response r = send("POST / HTTP/1.1\r\nHost: trailers.test.local\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "1\r\nx\r\n0\r\nHost: evil.example\r\nAuthorization: Basic Zm9vOmJhcg==\r\nX-Checksum: 42\r\n\r\n");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("x-checksum=42;");
        }
    }

    @Test
    void aRawUtf8HostMeetsItsPunycodeRouteAndErrorBodiesEscapeClientBytes() throws Exception {
        try (TestOrigin books = TestOrigin.echo()) {
            proxy.app("/books", java.util.Map.of("MESOS_LB_VHOST", "xn--bcher-kva.example"), books.backend("/books"));
            String utf8Host = new String("bücher.example".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            assertThat(send("POST / HTTP/1.1\r\nHost: " + utf8Host + "\r\nContent-Length: 2\r\n\r\nok").text()).isEqualTo("ok");
        }
        String unknown = new String("bügel.example".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        RawHttp.Response r = send("GET / HTTP/1.1\r\nHost: " + unknown + "\r\n\r\n");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.text()).isEqualTo("no route for host b\\xc3\\xbcgel.example\n");
        assertThat(r.header("x-content-type-options")).isEqualTo("nosniff");
        RawHttp.Response latin1 = send("GET / HTTP/1.1\r\nHost: b\u00fcgel.example\r\n\r\n");
        assertThat(latin1.status()).as("not UTF-8").isEqualTo(400);
        assertThat(latin1.text()).isEqualTo("bad request: Host is not UTF-8: b\\xfcgel.example\n");
    }

    @Test
    void aHostThatIsNoHostNameIsABadRequestNotAMissingRoute() throws Exception {
        // An obs-folded line joins the Host value: "echo.test.local Content-Length: 5".
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: " + HOST + "\r\n Content-Length: 5\r\n\r\n"
                    + "GET /smuggled HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(c.closedByPeer()).as("the rest is not read as a request").isTrue();
        }
        assertThat(echo.requests.get()).isZero();
    }
}
