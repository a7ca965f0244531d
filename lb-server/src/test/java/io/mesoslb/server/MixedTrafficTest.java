package io.mesoslb.server;

import static org.assertj.core.api.Assertions.assertThat;
import io.mesoslb.server.config.ServerConfig;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.TestOrigin;


import io.mesoslb.testkit.Await;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Three thousand client conversations drawn at random (from a fixed seed) and run four at a time:
 * keep-alive, pipelining, chunked and sized uploads, clients that vanish mid-request or
 * mid-response, garbage, and backends that answer, stream, hang up or never answer. Each
 * conversation checks its own answers; afterwards nothing may be left over: no client connection,
 * no backend connection still lent to a request, and (the leak extension, at paranoid level) no
 * buffer unreleased. The single-behaviour tests show each path works; this shows they interleave.
 *
 * <p>Which answer a conversation gets is the backend's doing, not the machine's speed: one that
 * never answers gets 504 from the response timeout, and the others answer or hang up in
 * milliseconds, far within it ({@link #RESPONSE_TIMEOUT}) even when the machine is loaded. A
 * conversation with the silent backend therefore starts in its turn but waits out the timeout
 * beside the four, so that the long timeout costs its length once, not once per such conversation.
 * Every unexpected status is reported with the proxy's reason (the body of its answer).
 */
class MixedTrafficTest extends OneAppProxyTest {
    private static final long SEED = Long.getLong("mixedTraffic.seed", 20261204L);
    /**
     * Enough for rare interleavings to come up in one run: with 240, listeners accepting on a worker loop lost a
     * connection (Netty's epoll, epoll_ctl ENOENT) in about one run in fifty (seen once in CI); with 3,000, in one in five.
     */
    private static final int CONVERSATIONS = Integer.getInteger("mixedTraffic.conversations", 3000);
    private static final int BIG = 256 * 1024;
    /** Backend silence allowed: what tells the silent backend from the others, with a wide margin. */
    private static final String RESPONSE_TIMEOUT = "5s";

    private ProxyFixture proxy;

    private enum Conversation {
        KEEP_ALIVE_GETS, SIZED_POST, CHUNKED_POST, PIPELINED, ABORT_MID_BODY, ABORT_MID_RESPONSE, GARBAGE,
        BACKEND_HANGS_UP, BACKEND_SILENT, BIG_DOWNLOAD
    }

    /** The event loop transport: the platform's default (epoll on Linux); a subclass runs it on NIO. */
    ServerConfig.Builder transport(ServerConfig.Builder config) {
        return config;
    }

    @Test
    void randomConversationsEachGetTheirAnswerAndLeaveNothingBehind() throws Exception {
        proxy = use(new ProxyFixture(c -> transport(c).responseTimeout(RESPONSE_TIMEOUT)));
        proxy.app("/echo", use(TestOrigin.echo()))
                .app("/chunked", use(TestOrigin.chunked("hello ", "world")))
                .app("/closing", use(TestOrigin.closing()))
                .app("/silent", use(TestOrigin.silent()))
                .app("/big", use(TestOrigin.download(BIG, -1, new CompletableFuture<>())));

        Random seeds = new Random(SEED);
        ExecutorService clients = Executors.newFixedThreadPool(4);
        // Where the silent backend's conversations wait out the response timeout, side by side.
        ExecutorService waiting = Executors.newCachedThreadPool();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<?>> done = new ArrayList<>();
        try {
            for (int i = 0; i < CONVERSATIONS; i++) {
                long seed = seeds.nextLong();
                Conversation kind = Conversation.values()[Math.floorMod(seed, Conversation.values().length)];
                Runnable conversation = () -> {
                    try {
                        talk(kind, new Random(seed));
                    } catch (Throwable t) {
                        failures.add(kind + " (seed " + seed + "): " + t);
                    }
                };
                done.add(kind == Conversation.BACKEND_SILENT
                        ? CompletableFuture.supplyAsync(() -> CompletableFuture.runAsync(conversation, waiting), clients)
                                .thenCompose(started -> started)
                        : CompletableFuture.runAsync(conversation, clients));
            }
            for (CompletableFuture<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
            waiting.shutdownNow();
        }
        assertThat(failures).isEmpty();

        Await.until(WAIT, () -> proxy.server.clients().isEmpty(), () -> proxy.server.clients().size() + " client connections left");
        Await.until(WAIT, () -> proxy.server.pools().activeConnections() == 0,
                () -> proxy.server.pools().activeConnections() + " backend connections still lent out");
    }

    private void talk(Conversation kind, Random random) throws Exception {
        try (RawHttp c = new RawHttp(proxy.port())) {
            switch (kind) {
                case KEEP_ALIVE_GETS -> {
                    for (int i = 0, n = 1 + random.nextInt(5); i < n; i++) {
                        boolean echo = random.nextBoolean();
                        RawHttp.Response r = c.send(get(echo ? "echo" : "chunked")).read();
                        assertThat(r.status()).as(r.text()).isEqualTo(200);
                        assertThat(r.text()).isEqualTo(echo ? "" : "hello world");
                    }
                }
                case SIZED_POST -> {
                    String body = "x".repeat(random.nextInt(100_000));
                    RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: echo.test.local\r\nContent-Length: " + body.length()
                            + "\r\n\r\n" + body).read();
                    assertThat(r.status()).as(r.text()).isEqualTo(200);
                    assertThat(r.text()).isEqualTo(body);
                }
                case CHUNKED_POST -> {
                    StringBuilder wire = new StringBuilder("POST / HTTP/1.1\r\nHost: echo.test.local\r\nTransfer-Encoding: chunked\r\n\r\n");
                    StringBuilder body = new StringBuilder();
                    for (int i = 0, n = 1 + random.nextInt(6); i < n; i++) {
                        String piece = Integer.toString(random.nextInt(1_000_000)).repeat(1 + random.nextInt(50));
                        wire.append(Integer.toHexString(piece.length())).append("\r\n").append(piece).append("\r\n");
                        body.append(piece);
                    }
                    RawHttp.Response r = c.send(wire.append("0\r\n\r\n").toString()).read();
                    assertThat(r.status()).as(r.text()).isEqualTo(200);
                    assertThat(r.text()).isEqualTo(body.toString());
                }
                case PIPELINED -> {
                    List<String> apps = List.of("echo", "chunked", random.nextBoolean() ? "echo" : "chunked");
                    c.send(get(apps.get(0)) + get(apps.get(1)) + get(apps.get(2)));
                    for (String app : apps) {
                        RawHttp.Response r = c.read();
                        assertThat(r.status()).as(r.text()).isEqualTo(200);
                        assertThat(r.text()).as("answered in order").isEqualTo(app.equals("echo") ? "" : "hello world");
                    }
                }
                case ABORT_MID_BODY -> c.send("POST / HTTP/1.1\r\nHost: echo.test.local\r\nContent-Length: 100000\r\n\r\n"
                        + "y".repeat(random.nextInt(50_000)));
                case ABORT_MID_RESPONSE -> {
                    c.send(get("big"));
                    InputStream in = c.socket().getInputStream();
                    assertThat(in.readNBytes(1 + random.nextInt(BIG / 2)).length).isPositive();
                }
                case GARBAGE -> {
                    c.send("\u0001\u0002 NOT HTTP AT ALL\r\n\r\n");
                    RawHttp.Response r = c.read();
                    assertThat(r.status()).as(r.text()).isEqualTo(400);
                    assertThat(c.closedByPeer()).isTrue();
                }
                case BACKEND_HANGS_UP -> {
                    RawHttp.Response r = c.send(random.nextBoolean() ? get("closing")
                            : "POST / HTTP/1.1\r\nHost: closing.test.local\r\nContent-Length: 2\r\n\r\nhi").read();
                    assertThat(r.status()).as(r.text()).isEqualTo(502);
                }
                case BACKEND_SILENT -> {
                    RawHttp.Response r = c.send(get("silent")).read();
                    assertThat(r.status()).as(r.text()).isEqualTo(504);
                }
                case BIG_DOWNLOAD -> {
                    RawHttp.Response r = c.send(get("big")).read();
                    assertThat(r.status()).as(r.text()).isEqualTo(200);
                    assertThat(r.body()).hasSize(BIG);
                }
            }
        }
    }

    private static String get(String app) {
        return "GET /" + app + " HTTP/1.1\r\nHost: " + app + ".test.local\r\n\r\n";
    }
}
