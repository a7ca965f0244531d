package io.mesoslb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.Backend;
import io.mesoslb.core.BackendProtocol;
import io.mesoslb.core.RouteOptions;
import io.mesoslb.core.RouteSpec;
import io.mesoslb.server.proxy.ProxyStatus;
import io.mesoslb.server.testing.BackgroundUpload;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.FullAcceptQueue;
import io.mesoslb.server.testing.OutcomeRecorder;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.H2cBackend;
import io.mesoslb.testkit.LoopbackBackend;
import io.mesoslb.testkit.LoopbackServer;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2LocalFlowController;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.NotYetConnectedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import io.mesoslb.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HTTP/1.1 clients through the balancer to backends that speak HTTP/2 with prior knowledge
 * ({@code MESOS_LB_PROTO=h2c}): each request a stream on a connection kept per event loop.
 */
class H2cOriginTest {
    private static final int MIB = 1024 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String HOST = "grpc.test.local";

    @RegisterExtension
    final Closer closer = new Closer();
    private final OutcomeRecorder outcomes = new OutcomeRecorder();
    private ProxyFixture proxy;

    private H2cBackend backend(String taskId) {
        return closer.use(H2cBackend.start(taskId));
    }

    private static Backend task(LoopbackServer b, String taskId) {
        return new Backend(b.host(), b.port(), taskId, "/grpc");
    }

    /**
     * A balancer (with {@code config}) routing /grpc (grpc.test.local) to {@code tasks}, labelled h2c as an
     * app would be, and a client connected to it.
     */
    private RawHttp start(UnaryOperator<ServerConfig.Builder> config, Backend... tasks) throws IOException {
        proxy = closer.use(new ProxyFixture(config, outcomes));
        proxy.app("/grpc", Map.of("MESOS_LB_PROTO", "h2c"), tasks);
        return client();
    }

    private RawHttp start(H2cBackend b) throws IOException {
        return start(c -> c, task(b, "g.1"));
    }

    private RawHttp client() throws IOException {
        return closer.use(new RawHttp(proxy.port()));
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n";
    }

    @Test
    void aPlainGetReachesTheBackendWithItsHostAsAuthorityAndNoHopByHopHeaders() throws Exception {
        H2cBackend b = backend("g.1");
        try (RawHttp c = start(b)) {
            RawHttp.Response r = c.send("GET /pkg.Svc/Get?x=1 HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: keep-alive, X-Hop\r\n"
                    + "X-Hop: secret\r\nKeep-Alive: timeout=5\r\nTE: trailers, deflate\r\nX-Custom: kept\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-http2-stream-id")).as("a detail of the backend hop").isNull();
            assertThat(r.header("via")).isEqualTo("1.1 mesos-lb");
            // The connection stays open for the next request, which reuses the backend connection too.
            assertThat(c.send(get("/again")).read().status()).isEqualTo(200);
        }
        H2cBackend.Request seen = b.requests().get(0);
        assertThat(seen.method()).isEqualTo("GET");
        assertThat(seen.path()).isEqualTo("/pkg.Svc/Get?x=1");
        assertThat(seen.authority()).isEqualTo(HOST);
        assertThat(seen.scheme()).isEqualTo("http");
        assertThat(seen.header("x-custom")).isEqualTo("kept");
        assertThat(seen.header("te")).as("the one TE value HTTP/2 carries").isEqualTo("trailers");
        assertThat(seen.header("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(seen.headers()).doesNotContainKeys("host", "connection", "keep-alive", "x-hop", "transfer-encoding");
        assertThat(b.connectionsAccepted()).isEqualTo(1);
        assertThat(b.streamsOpened()).isEqualTo(2);
    }

    @Test
    void requestBodiesGoThroughAndTheEchoComesBack() throws Exception {
        H2cBackend b = backend("g.1");
        try (RawHttp c = start(b)) {
            RawHttp.Response sized = c.send("POST /echo HTTP/1.1\r\nHost: " + HOST
                    + "\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world").read();
            assertThat(sized.status()).isEqualTo(200);
            assertThat(sized.text()).isEqualTo("hello world");
            assertThat(sized.header("content-type")).isEqualTo("text/plain");
            RawHttp.Response chunked = c.send("POST /echo HTTP/1.1\r\nHost: " + HOST
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").read();
            assertThat(chunked.text()).isEqualTo("hello world");
        }
        assertThat(b.requests()).extracting(H2cBackend.Request::bodyBytes).containsExactly(11L, 11L);
        assertThat(b.requests().get(0).header("content-length")).isEqualTo("11");
    }

    @Test
    void trailersAreRelayedBothWays() throws Exception {
        H2cBackend b = backend("g.1");
        try (RawHttp c = start(b)) {
            RawHttp.Response r = c.send("POST /echo?trailers=1 HTTP/1.1\r\nHost: " + HOST
                    + "\r\nTE: trailers\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nping\r\n0\r\nX-Client-Trailer: from-client\r\n"
                    + "Authorization: smuggled\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(r.text()).isEqualTo("ping");
            assertThat(r.trailer("grpc-status")).isEqualTo("0");
            assertThat(r.trailer("x-echo-trailer")).isEqualTo("from-client");
        }
        assertThat(b.requests().get(0).trailers()).containsKey("x-client-trailer")
                .as("a field a trailer may not carry").doesNotContainKey("authorization");
    }

    @Test
    void anAnswerOfHeadersAloneEndsTheResponse() throws Exception {
        H2cBackend b = backend("g.1");
        RawHttp c = start(b);
        RawHttp.Response r = c.send(get("/headers-only?status=200")).read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("grpc-status")).isEqualTo("5");
        assertThat(r.body()).isEmpty();
        assertThat(c.send("HEAD /headers-only?status=404 HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read(true).status())
                .isEqualTo(404);
        assertThat(c.send(get("/next")).read().status()).as("the connection goes on").isEqualTo(200);
    }

    @Test
    void aContinueFromTheBackendReachesTheClientAndTheBodyFollows() throws Exception {
        H2cBackend b = backend("g.1");
        RawHttp c = start(b);
        c.send("POST /echo HTTP/1.1\r\nHost: " + HOST + "\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        assertThat(c.read().status()).isEqualTo(100);
        RawHttp.Response r = c.send("hello").read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("hello");
        assertThat(b.requests().get(0).header("expect")).isEqualTo("100-continue");
    }

    @Test
    void concurrentRequestsShareOneBackendConnectionPerEventLoop() throws Exception {
        H2cBackend b = backend("g.1");
        int n = 40;
        assertThat(heldThenAnswered(start(c -> c.workerThreads(2), task(b, "g.1")), b, n)).allMatch(s -> s == 200);
        assertThat(b.streamsOpened()).isEqualTo(n);
        assertThat(b.connectionsAccepted()).as("one per worker loop").isBetween(1, 2);
    }

    @Test
    void aBackendsStreamLimitOpensAnotherConnection() throws Exception {
        H2cBackend b = closer.use(H2cBackend.start("g.1", 2));
        assertThat(heldThenAnswered(start(c -> c.workerThreads(1), task(b, "g.1")), b, 5)).allMatch(s -> s == 200);
        assertThat(b.connectionsAccepted()).as("two streams each, on one loop").isEqualTo(3);
    }

    /** {@code n} clients (the first given) ask for /hold; once all are at the backend at once, they are answered. */
    private List<Integer> heldThenAnswered(RawHttp first, H2cBackend b, int n) throws IOException {
        List<RawHttp> clients = new ArrayList<>(List.of(first));
        while (clients.size() < n) {
            clients.add(client());
        }
        for (RawHttp c : clients) {
            c.send(get("/hold"));
        }
        Await.until(WAIT, () -> b.held() == n, () -> b.held() + " of " + n + " requests at the backend at once");
        b.releaseHeld();
        List<Integer> statuses = new ArrayList<>(n);
        for (RawHttp c : clients) {
            statuses.add(c.read().status());
        }
        return statuses;
    }

    @Test
    void aSlowClientPausesTheBackendStreamInsteadOfBufferingTheResponse() throws Exception {
        H2cBackend b = backend("g.1");
        start(b).close();
        long size = 64L * MIB;
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.setSoTimeout(20_000);
            s.connect(new InetSocketAddress("127.0.0.1", proxy.port()));
            s.getOutputStream().write(get("/big?bytes=" + size).getBytes(StandardCharsets.US_ASCII));
            // The client reads nothing: the backend must be held by flow control, not absorbed by the balancer.
            Await.until(WAIT, () -> b.blocked() && aStreamWindowIsUsedUp(),
                    () -> "backend held by the stream's flow control; it sent " + b.sentBytes());
            long sent = b.sentBytes();
            for (Channel client : proxy.server.clients()) {
                long pending = client.unsafe().outboundBuffer() == null ? 0
                        : client.unsafe().outboundBuffer().totalPendingWriteBytes();
                assertThat(pending).as("bytes the balancer holds for the slow client").isLessThan(MIB);
            }
            assertThat(sent).as("what the backend got to send").isLessThan(8L * MIB);

            InputStream in = s.getInputStream();
            assertThat(head(in)).contains("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked");
            assertThat(countChunkedBody(in)).isEqualTo(size);
        }
    }

    @Test
    void aBackendThatDoesNotReadPausesTheClientsUpload() throws Exception {
        H2cBackend b = backend("g.1");
        RawHttp c = start(b);
        long size = 32L * MIB;
        AtomicLong written = new AtomicLong();
        c.send("POST /hold HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: " + size + "\r\n\r\n");
        CompletableFuture<Void> upload = BackgroundUpload.start(c.out(), size, written);
        Await.until(WAIT, () -> b.held() == 1 && anyClientPaused(), "the client paused behind the held stream");
        assertThat(upload).as("the client is held back, not absorbed").isNotDone();
        assertThat(written.get()).isLessThan(size);

        b.releaseHeld();
        RawHttp.Response r = c.read();
        upload.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(200);
        assertThat((long) r.body().length).isEqualTo(size);
        assertThat(b.requests().get(0).bodyBytes()).isEqualTo(size);
    }

    @Test
    void aGoAwayBeforeAnyAnswerSendsASafeRequestAgainOnANewConnection() throws Exception {
        H2cBackend b = backend("g.1");
        RawHttp c = start(cfg -> cfg.workerThreads(1), task(b, "g.1"));
        assertThat(c.send(get("/warm")).read().status()).isEqualTo(200);
        b.goAwayNext(1);
        assertThat(c.send(get("/goaway")).read().status()).isEqualTo(200);
        assertThat(c.send(get("/after")).read().status()).isEqualTo(200);
        assertThat(b.requests()).extracting(H2cBackend.Request::path)
                .containsExactly("/warm", "/goaway", "/goaway", "/after");
        assertThat(b.connectionsAccepted()).as("the going-away connection takes no new stream").isEqualTo(2);
        assertThat(outcomes.failures()).as("a connection going away is not the backend failing").isZero();
    }

    @Test
    void aGoAwayFailsARequestThatCannotBeSentAgain() throws Exception {
        H2cBackend b = backend("g.1");
        b.goAwayNext(1);
        RawHttp.Response r = start(b).send(post("/goaway")).read();
        assertThat(r.status()).isEqualTo(502);
        assertThat(b.requests()).hasSize(1);
    }

    @Test
    void aResetStreamSendsASafeRequestToAnotherBackendAndFailsAnUnsafeOne() throws Exception {
        H2cBackend b = backend("g.1");
        // Two tasks on one server: whichever is tried first resets, the other answers.
        RawHttp c = start(cfg -> cfg, task(b, "g.1"), task(b, "g.2"));
        b.resetNext(1);
        assertThat(c.send(get("/reset")).read().status()).isEqualTo(200);
        assertThat(outcomes.outcomes).anySatisfy(o -> assertThat(o.status()).isEqualTo(ProxyStatus.BACKEND_RESET));
        b.resetNext(1);
        assertThat(client().send(post("/reset")).read().status()).isEqualTo(502);
    }

    private static String post(String path) {
        return "POST " + path + " HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 2\r\n\r\nhi";
    }

    @Test
    void anIdleConnectionClosesAfterTheBackendIdleTimeout() throws Exception {
        H2cBackend b = backend("g.1");
        RawHttp c = start(cfg -> cfg.backendIdleTimeout("300ms"), task(b, "g.1"));
        assertThat(c.send(get("/")).read().status()).isEqualTo(200);
        Await.until(WAIT, () -> b.openConnections() == 0, "the idle HTTP/2 connection closed");
        assertThat(c.send(get("/")).read().status()).as("and a new one is made").isEqualTo(200);
        assertThat(b.connectionsAccepted()).isEqualTo(2);
    }

    @Test
    void aBackendThatLeavesTheTableHasItsConnectionClosed() throws Exception {
        H2cBackend b = backend("g.1");
        RawHttp c = start(b);
        assertThat(c.send(get("/")).read().status()).isEqualTo(200);
        assertThat(proxy.server.pools().h2ConnectionCount(task(b, "g.1")).get(5, TimeUnit.SECONDS)).isEqualTo(1);
        proxy.remove("/grpc");
        Await.until(WAIT, () -> b.openConnections() == 0, "the connection to the removed backend closed");
    }

    @Test
    void aDeadBackendIsA502AndCountsAgainstIt() throws Exception {
        H2cBackend b = backend("g.1");
        Backend task = task(b, "g.1");
        RawHttp c = start(cfg -> cfg, task);
        b.stop();
        assertThat(c.send(get("/")).read().status()).isEqualTo(502);
        assertThat(outcomes.outcomes).anySatisfy(o -> {
            assertThat(o.backend()).isEqualTo(task);
            assertThat(o.status()).isEqualTo(ProxyStatus.CONNECT_FAILED);
        });
    }

    @Test
    void aConnectClosedUnderTheProxyIsMadeAgainAndCountsAgainstNoOne() throws Exception {
        FullAcceptQueue full = closer.use(new FullAcceptQueue());
        // Connects wait until the backend accepts them, which it never does here.
        RawHttp c = start(cfg -> cfg.connectTimeout("60s"), full.backend("g.1", "/grpc"));
        c.send(get("/"));
        Channel first = proxy.awaitBackendConnection(WAIT, null);
        // What the epoll transport does to a socket whose connect is not done when an event meant for a socket
        // closed just before under the same descriptor number reaches it: the read fails, the channel closes.
        first.pipeline().fireExceptionCaught(new NotYetConnectedException());
        Await.until(WAIT, () -> !first.isOpen(), "the first connection closed");
        assertThat(proxy.awaitBackendConnection(WAIT, first)).as("made again").isNotNull();
        assertThat(outcomes.failures()).isZero();
    }

    @Test
    void aBackendThatDoesNotSpeakHttp2FailsLikeAConnect() throws Exception {
        LoopbackBackend http1 = closer.use(LoopbackBackend.start("h.1"));
        assertThat(start(cfg -> cfg, task(http1, "h.1")).send(get("/")).read().status()).isEqualTo(502);
        // Its close is its failure, not a connect closed under the proxy: not made again.
        assertThat(http1.connectionsAccepted()).isEqualTo(1);
        assertThat(outcomes.failures()).isEqualTo(1);
    }

    @Test
    void theSameBackendIsReachedOverHttp1WithoutTheLabel() throws Exception {
        LoopbackBackend http1 = closer.use(LoopbackBackend.start("h.1"));
        start(cfg -> cfg, task(http1, "h.1"));
        proxy.app("/grpc", RouteSpec.DEFAULT.withOptions(RouteOptions.NONE.withProtocol(BackendProtocol.HTTP1)),
                task(http1, "h.1"));
        assertThat(client().send(get("/")).read().text()).isEqualTo("h.1");
    }

    /** The balancer stopped taking a stream's data: it sent no WINDOW_UPDATE for what the backend sent. */
    private boolean aStreamWindowIsUsedUp() {
        for (Channel parent : proxy.server.pools().connections()) {
            Http2FrameCodec codec = parent.pipeline().get(Http2FrameCodec.class);
            if (codec != null && parent.eventLoop().submit(() -> {
                Http2LocalFlowController flow = codec.connection().local().flowController();
                boolean[] usedUp = {false};
                codec.connection().forEachActiveStream(stream -> {
                    usedUp[0] |= flow.windowSize(stream) <= 0;
                    return true;
                });
                return usedUp[0];
            }).syncUninterruptibly().getNow()) {
                return true;
            }
        }
        return false;
    }

    private boolean anyClientPaused() {
        for (Channel ch : proxy.server.clients()) {
            if (!ch.config().isAutoRead()) {
                return true;
            }
        }
        return false;
    }

    /** Reads a response head, up to its empty line. */
    private static String head(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            head.append(l).append('\n');
        }
        return head.toString();
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("closed after '" + sb + "'");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    /** Reads a chunked body to its end, returning its length; nothing of it is kept. */
    private static long countChunkedBody(InputStream in) throws IOException {
        long total = 0;
        byte[] skip = new byte[64 * 1024];
        while (true) {
            String sizeLine = line(in);
            int size = Integer.parseInt(sizeLine.trim(), 16);
            if (size == 0) {
                line(in);
                return total;
            }
            int left = size;
            while (left > 0) {
                int n = in.read(skip, 0, Math.min(skip.length, left));
                if (n < 0) {
                    throw new IOException("closed mid-chunk");
                }
                left -= n;
            }
            total += size;
            line(in);
        }
    }
}
