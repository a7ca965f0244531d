package io.mesoslb.server.http2;

import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.H2Client;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RecordedRequest;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.testkit.Await;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HTTP/2 streams through the balancer with Netty's client over h2c: each stream is an exchange of
 * its own (admission, retries, timeouts), and each has its own flow control, wired to its backend.
 */
class Http2StreamsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SMALL = "small.test.local";

    @RegisterExtension
    final Closer closer = new Closer();

    private ProxyFixture h2c() {
        return closer.use(new ProxyFixture(b -> b.h2cPriorKnowledge(true)));
    }

    private H2Client client(ProxyFixture proxy) throws Exception {
        return closer.use(H2Client.priorKnowledge(proxy.port()));
    }

    @Test
    void aStreamWhoseClientStopsReadingStallsOnlyItself() throws Exception {
        long size = 64L << 20;
        TestOrigin big = closer.use(TestOrigin.download(size, size, CompletableFuture.completedFuture(null)));
        ProxyFixture proxy = h2c().app("/big", big).app("/small", closer.use(TestOrigin.marker("small")));
        H2Client client = client(proxy);

        H2Client.Stream slow = client.open();
        slow.reading(false);
        slow.headers(H2Client.request("GET", "big.test.local", "/file"), true);
        assertThat(slow.head.get(20, TimeUnit.SECONDS)).isEqualTo(200);
        // Its window used up, the stream's backend is paused and its socket fills.
        Await.until(WAIT, () -> big.blocked, "the big response's backend blocked by the stalled stream");

        for (int i = 0; i < 20; i++) {
            H2Client.Response r = client.get(SMALL, "/s" + i);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("small");
        }
        assertThat(slow.response).as("the stalled stream is still waiting for its reader").isNotDone();
        // What the stall leaves in flight is the stream's window, its write buffer and the sockets': a bounded part.
        assertThat(big.sentBytes.get()).isLessThan(size / 4);

        slow.reading(true);
        H2Client.Response whole = slow.response.get(30, TimeUnit.SECONDS);
        assertThat(whole.resetCode()).isEqualTo(-1);
        assertThat(slow.bodyBytes()).isEqualTo(size);
    }

    @Test
    void aRequestBodyTheBackendCannotTakeStallsOnlyItsStream() throws Exception {
        CompletableFuture<Void> resume = new CompletableFuture<>();
        TestOrigin sink = closer.use(TestOrigin.stallingSink(256 * 1024, resume));
        // The stalled stream holds its whole window unread (64 KiB, all a connection starts with): the
        // others' bodies need the connection's window, which the proxy opened for every stream.
        ProxyFixture proxy = h2c().app("/sink", sink).app("/echo", closer.use(TestOrigin.echo()));
        H2Client client = client(proxy);

        // More than the sockets between the proxy and the sink buffer, so that the proxy itself must stop.
        long size = 64L << 20;
        H2Client.Stream upload = client.open();
        upload.headers(H2Client.request("POST", "sink.test.local", "/up"), false);
        // Written without waiting: the client's flow control holds what the stream's window does not allow.
        int piece = 16 * 1024;
        byte[] zeros = new byte[piece];
        for (long sent = 0; sent < size; sent += piece) {
            boolean last = sent + piece >= size;
            upload.channel().write(new io.netty.handler.codec.http2.DefaultHttp2DataFrame(Unpooled.wrappedBuffer(zeros), last));
        }
        upload.channel().flush();
        // Stalled for good: the proxy cannot write to the sink, so it holds the stream, which keeps its window.
        Await.until(WAIT, () -> sink.blocked && backendBlocked(proxy) && client.sendWindow(upload) == 0,
                "the proxy's connection to the sink full, and no upload window granted");
        for (int i = 0; i < 10; i++) {
            // Bodies of their own: they need the connection's window, which the stalled stream does not hold.
            H2Client.Stream other = client.open().headers(H2Client.request("POST", "echo.test.local", "/e"), false)
                    .data(Unpooled.wrappedBuffer(new byte[32 * 1024]), true);
            assertThat(other.response.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(other.bodyBytes()).isEqualTo(32 * 1024);
        }
        assertThat(sink.bodyBytes.get()).isLessThan(size);

        resume.complete(null);
        H2Client.Response r = upload.response.get(30, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(Long.toString(size));
        RecordedRequest seen = sink.recorded.poll();
        assertThat(seen.version()).isEqualTo("HTTP/1.1");
        assertThat(seen.headers().get("Transfer-Encoding")).as("no content-length: chunked to the backend").isEqualTo("chunked");
    }

    private static boolean backendBlocked(ProxyFixture proxy) {
        for (io.netty.channel.Channel backend : proxy.server.pools().connections()) {
            if (!backend.isWritable()) {
                return true;
            }
        }
        return false;
    }

    @Test
    void bodiesGoThroughInBothDirectionsWithTheirLength() throws Exception {
        TestOrigin echo = closer.use(TestOrigin.echo());
        ProxyFixture proxy = h2c().app("/echo", echo);
        H2Client client = client(proxy);
        Http2Headers post = H2Client.request("POST", "echo.test.local", "/e").set("content-length", "11");
        H2Client.Stream s = client.open().headers(post, false).data("hello", false).data(" world", true);
        H2Client.Response r = s.response.get(20, TimeUnit.SECONDS);
        assertThat(r.body()).isEqualTo("hello world");
        assertThat(r.headers().get("content-length").toString()).isEqualTo("11");
        assertThat(echo.recorded.poll().headers().get("Content-Length")).isEqualTo("11");
    }

    @Test
    void requestTrailersAreFilteredAsOverHttp1() throws Exception {
        TestOrigin trailers = closer.use(TestOrigin.trailerEcho());
        ProxyFixture proxy = h2c().app("/t", trailers);
        H2Client client = client(proxy);
        H2Client.Stream s = client.open().headers(H2Client.request("POST", "t.test.local", "/t"), false).data("body", false)
                .headers(new io.netty.handler.codec.http2.DefaultHttp2Headers(false).set("x-checksum", "abc")
                        .set("authorization", "Basic Zm9vOmJhcg=="), true);
        assertThat(s.response.get(20, TimeUnit.SECONDS).body()).isEqualTo("x-checksum=abc;");
    }

    @Test
    void anAnswerBeforeTheBodyGoesOutWholeAndThenStopsTheBody() throws Exception {
        String big = "x".repeat(200_000);
        TestOrigin refusing = closer.use(TestOrigin.answeringHeads(io.netty.handler.codec.http.HttpResponseStatus.OK, big));
        ProxyFixture proxy = h2c().app("/up", refusing);
        H2Client client = client(proxy);
        // Waiting for a 100 that never comes: the backend's answer is final, larger than the stream's window.
        Http2Headers post = H2Client.request("POST", "up.test.local", "/u").set("content-length", "10")
                .set("expect", "100-continue");
        H2Client.Stream s = client.open().headers(post, false);
        H2Client.Response r = s.response.get(20, TimeUnit.SECONDS);
        assertThat(r.resetCode()).as("the response was not cut").isEqualTo(-1);
        assertThat(r.body()).isEqualTo(big);
        assertThat(s.reset.get(20, TimeUnit.SECONDS)).as("then the body is asked to stop, without error")
                .isEqualTo(Http2Error.NO_ERROR.code());
    }

    @Test
    void eachStreamIsAdmittedAsARequestIs() throws Exception {
        TestOrigin origin = closer.use(TestOrigin.marker("ok"));
        ProxyFixture proxy = h2c().app("/open", origin)
                .app("/closed", Map.of("HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL", "10.0.0.0/8"), origin.backend("/closed"));
        H2Client client = client(proxy);

        H2Client.Response unknown = client.get("nobody.test.local", "/");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).contains("nobody.test.local");
        assertThat(client.get("closed.test.local", "/").status()).isEqualTo(403);
        H2Client.Response open = client.get("open.test.local:8080", "/x");
        assertThat(open.status()).isEqualTo(200);
        assertThat(open.body()).isEqualTo("ok");
        assertThat(origin.requests.get()).isEqualTo(1);
        assertThat(origin.recorded.poll().headers().get("Host")).isEqualTo("open.test.local:8080");
    }

    @Test
    void aSafeRequestResetByItsBackendIsSentToAnother() throws Exception {
        TestOrigin resetting = closer.use(TestOrigin.closing());
        TestOrigin good = closer.use(TestOrigin.marker("good"));
        ProxyFixture proxy = h2c().app("/r", resetting, good);
        H2Client client = client(proxy);
        for (int i = 0; i < 4; i++) {
            H2Client.Response r = client.get("r.test.local", "/again");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("good");
        }
        assertThat(resetting.requests.get()).as("the round robin sent some to the resetting one").isPositive();
    }

    @Test
    void aSilentBackendTimesOutItsStreamOnly() throws Exception {
        // 2 s: "small" answers in milliseconds, far within it on a loaded machine too; only the silent backend
        // reaches it.
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.h2cPriorKnowledge(true).responseTimeout("2s")))
                .app("/silent", closer.use(TestOrigin.silent())).app("/small", closer.use(TestOrigin.marker("small")));
        H2Client client = client(proxy);
        H2Client.Stream waiting = client.open().headers(H2Client.request("GET", "silent.test.local", "/"), true);
        assertThat(client.get(SMALL, "/").body()).isEqualTo("small");
        H2Client.Response r = waiting.response.get(20, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(504);
        assertThat(r.body()).contains("did not respond within 2000 ms");
        assertThat(client.get(SMALL, "/after").body()).isEqualTo("small");
    }

    @Test
    void connectIsRefusedWithTheReasonAndExtendedConnectIsNotOffered() throws Exception {
        TestOrigin origin = closer.use(TestOrigin.marker("ok"));
        ProxyFixture proxy = h2c().app("/ws", origin);
        H2Client client = client(proxy);
        assertThat(client.serverSettings.get(20, TimeUnit.SECONDS).connectProtocolEnabled()).isNull();

        Http2Headers tunnel = new io.netty.handler.codec.http2.DefaultHttp2Headers(false).method("CONNECT")
                .authority("ws.test.local:443");
        H2Client.Response plain = client.open().headers(tunnel, true).response.get(20, TimeUnit.SECONDS);
        assertThat(plain.status()).isEqualTo(501);
        assertThat(plain.body()).contains("CONNECT is not supported");

        Http2Headers webSocket = H2Client.request("CONNECT", "ws.test.local", "/chat").set(":protocol", "websocket");
        H2Client.Response extended = client.open().headers(webSocket, false).response.get(20, TimeUnit.SECONDS);
        assertThat(extended.status()).isEqualTo(501);
        assertThat(extended.body()).contains("RFC 8441").contains("HTTP/1.1");
        assertThat(origin.requests.get()).isZero();
    }

    @Test
    void connectionSpecificHeadersMakeARequestMalformed() throws Exception {
        TestOrigin origin = closer.use(TestOrigin.marker("ok"));
        ProxyFixture proxy = h2c().app("/m", origin);
        H2Client client = client(proxy);
        List<Http2Headers> malformed = new ArrayList<>();
        malformed.add(H2Client.request("GET", "m.test.local", "/").set("connection", "keep-alive"));
        malformed.add(H2Client.request("GET", "m.test.local", "/").set("transfer-encoding", "chunked"));
        malformed.add(H2Client.request("GET", "m.test.local", "/").set("upgrade", "h2c"));
        malformed.add(H2Client.request("GET", "m.test.local", "/").set("te", "gzip"));
        malformed.add(H2Client.request("GET", "m.test.local", "/").set("host", "other.test.local"));
        for (Http2Headers h : malformed) {
            H2Client.Response r = client.open().headers(h, true).response.get(20, TimeUnit.SECONDS);
            assertThat(r.resetCode()).as(h.toString()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
        }
        assertThat(origin.requests.get()).isZero();
        assertThat(client.get("m.test.local", "/fine").status()).as("the connection lives on").isEqualTo(200);
    }
}
