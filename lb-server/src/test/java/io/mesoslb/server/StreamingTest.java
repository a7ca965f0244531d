package io.mesoslb.server;

import static org.assertj.core.api.Assertions.assertThat;
import io.mesoslb.server.config.ServerConfig;
import io.mesoslb.server.testing.BackgroundUpload;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.TestOrigin;


import io.mesoslb.testkit.Await;
import io.netty.channel.Channel;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 50 MiB each way. Each test holds part of the transfer back until the other end has seen most of
 * it, which only a proxy that streams (rather than buffers whole bodies) lets happen.
 */
class StreamingTest {
    private static final int MIB = 1024 * 1024;
    private static final long SIZE = 50L * MIB;
    private static final Duration WAIT = Duration.ofSeconds(30);

    ProxyFixture proxy = new ProxyFixture(this::transport);
    private TestOrigin origin;

    /** The event loop transport: the platform's default (epoll on Linux); a subclass runs it all again on NIO. */
    ServerConfig.Builder transport(ServerConfig.Builder config) {
        return config;
    }

    /** Swaps the default proxy for one with its own settings. */
    private void reconfigure(UnaryOperator<ServerConfig.Builder> config) {
        proxy.close();
        proxy = new ProxyFixture(c -> config.apply(transport(c)));
    }

    @AfterEach
    void stop() {
        proxy.close();
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void uploadOf50MibStreamsToTheBackendBeforeTheClientFinishes() throws Exception {
        origin = TestOrigin.sink();
        proxy.app("/sink", origin);
        byte[] chunk = new byte[MIB];
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send("POST /upload HTTP/1.1\r\nHost: sink.test.local\r\nContent-Length: " + SIZE + "\r\n\r\n");
            for (int i = 0; i < 40; i++) {
                c.out().write(chunk);
            }
            c.out().flush();
            Await.until(WAIT, () -> origin.bodyBytes.get() >= 30L * MIB, "30 MiB at the backend while 10 MiB are unsent");
            for (int i = 40; i < 50; i++) {
                c.out().write(chunk);
            }
            c.out().flush();
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo(Long.toString(SIZE));
        }
    }

    @Test
    void chunkedUploadOf50MibArrivesComplete() throws Exception {
        origin = TestOrigin.sink();
        proxy.app("/sink", origin);
        byte[] chunk = new byte[MIB];
        byte[] chunkHeader = (Integer.toHexString(MIB) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send("POST /upload HTTP/1.1\r\nHost: sink.test.local\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 50; i++) {
                c.out().write(chunkHeader);
                c.out().write(chunk);
                c.out().write('\r');
                c.out().write('\n');
                if (i == 40) {
                    c.out().flush();
                    Await.until(WAIT, () -> origin.bodyBytes.get() >= 30L * MIB, "30 MiB streamed");
                }
            }
            c.send("0\r\n\r\n");
            assertThat(c.read().text()).isEqualTo(Long.toString(SIZE));
        }
    }

    @Test
    void downloadOf50MibStreamsToTheClientBeforeTheBackendFinishes() throws Exception {
        CompletableFuture<Void> resume = new CompletableFuture<>();
        origin = TestOrigin.download(SIZE, 40L * MIB, resume);
        proxy.app("/files", origin);
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send("GET /big HTTP/1.1\r\nHost: files.test.local\r\n\r\n");
            InputStream in = c.socket().getInputStream();
            long headerAndBody = skipHeaders(in);
            assertThat(headerAndBody).isEqualTo(SIZE);

            assertThat(drain(in, 30L * MIB)).isEqualTo(30L * MIB);
            assertThat(origin.sentBytes.get()).as("the origin is held at 40 MiB").isLessThanOrEqualTo(40L * MIB);

            resume.complete(null);
            assertThat(drain(in, 20L * MIB)).isEqualTo(20L * MIB);
        }
    }

    @Test
    void slowClientStopsTheProxyReadingFromTheBackend() throws Exception {
        origin = TestOrigin.download(SIZE, -1, new CompletableFuture<>());
        proxy.app("/files", origin);
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.setSoTimeout(20_000);
            s.connect(new InetSocketAddress("127.0.0.1", proxy.port()));
            OutputStream out = s.getOutputStream();
            out.write("GET /big HTTP/1.1\r\nHost: files.test.local\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();

            // The client reads nothing: the proxy must stop reading the backend rather than buffer for it.
            Await.until(WAIT, () -> origin.blocked && anyBackendPaused(), "backend connection paused and origin blocked");
            Channel client = proxy.server.clients().iterator().next();
            long pending = client.unsafe().outboundBuffer() == null ? 0
                    : client.unsafe().outboundBuffer().totalPendingWriteBytes();
            assertThat(pending).as("bytes the proxy holds for the slow client").isLessThan(MIB);
            assertThat(origin.sentBytes.get()).isLessThan(SIZE);

            InputStream in = s.getInputStream();
            assertThat(skipHeaders(in)).isEqualTo(SIZE);
            assertThat(drain(in, SIZE)).isEqualTo(SIZE);
        }
    }

    @Test
    void slowBackendStopsTheProxyReadingFromTheClient() throws Exception {
        CompletableFuture<Void> resume = new CompletableFuture<>();
        origin = TestOrigin.stallingSink(5L * MIB, resume);
        proxy.app("/sink", origin);
        AtomicLong written = new AtomicLong();
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send("POST /upload HTTP/1.1\r\nHost: sink.test.local\r\nContent-Length: " + SIZE + "\r\n\r\n");
            CompletableFuture<Void> upload = BackgroundUpload.start(c.out(), SIZE, written);

            // The backend reads nothing more: the proxy must stop reading the client rather than buffer for it.
            Await.until(WAIT, () -> origin.blocked && anyClientPaused() && anyBackendUnwritable(),
                    () -> "client paused behind an unwritable backend connection; " + flowState());
            for (Channel backend : proxy.server.pools().connections()) {
                long pending = backend.unsafe().outboundBuffer() == null ? 0
                        : backend.unsafe().outboundBuffer().totalPendingWriteBytes();
                assertThat(pending).as("bytes the proxy holds for the slow backend").isLessThan(MIB);
            }
            assertThat(upload).as("the client is held back, not absorbed").isNotDone();
            assertThat(written.get()).isLessThan(SIZE);

            resume.complete(null);
            upload.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo(Long.toString(SIZE));
        }
    }

    @Test
    void backendFallingSilentMidBodyIsCutAfterTheResponseTimeout() throws Exception {
        // 2 s: the first MiB comes with pauses of milliseconds, far within it on a loaded machine too; the stop after it
        // reaches it.
        reconfigure(c -> c.responseTimeout("2s"));
        origin = TestOrigin.download(4L * MIB, MIB, new CompletableFuture<>());
        proxy.app("/files", origin);
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send("GET /big HTTP/1.1\r\nHost: files.test.local\r\n\r\n");
            InputStream in = c.socket().getInputStream();
            assertThat(skipHeaders(in)).isEqualTo(4L * MIB);
            // Only a close can tell the client that the body it was promised will not come.
            assertThat(drain(in, 4L * MIB)).isEqualTo(MIB);
        }
        Await.until(WAIT, () -> origin.channels.stream().noneMatch(Channel::isActive), "the silent backend connection closed");
    }

    @Test
    void slowClientDoesNotMakeTheBackendLookSilent() throws Exception {
        // 2 s: while the client reads, the download pauses for milliseconds, far within it on a loaded machine too; the
        // probe waits it out.
        reconfigure(c -> c.responseTimeout("2s"));
        origin = TestOrigin.download(SIZE, -1, new CompletableFuture<>());
        proxy.app("/files", origin);
        try (TestOrigin silent = TestOrigin.silent(); Socket s = new Socket()) {
            proxy.app("/silent", silent);
            s.setReceiveBufferSize(64 * 1024);
            s.setSoTimeout(20_000);
            s.connect(new InetSocketAddress("127.0.0.1", proxy.port()));
            s.getOutputStream().write("GET /big HTTP/1.1\r\nHost: files.test.local\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Await.until(WAIT, () -> origin.blocked && anyBackendPaused(), "backend connection paused and origin blocked");

            // A request to a backend that never answers, sent after the pause: its 504 proves a whole
            // response timeout has passed while the download stood still.
            try (RawHttp probe = new RawHttp(proxy.port())) {
                assertThat(probe.send("GET / HTTP/1.1\r\nHost: silent.test.local\r\n\r\n").read().status())
                        .isEqualTo(504);
            }

            InputStream in = s.getInputStream();
            assertThat(skipHeaders(in)).isEqualTo(SIZE);
            assertThat(drain(in, SIZE)).isEqualTo(SIZE);
        }
    }

    private boolean anyClientPaused() {
        for (Channel ch : proxy.server.clients()) {
            if (!ch.config().isAutoRead()) {
                return true;
            }
        }
        return false;
    }

    private boolean anyBackendUnwritable() {
        for (Channel ch : proxy.server.pools().connections()) {
            if (!ch.isWritable()) {
                return true;
            }
        }
        return false;
    }

    /** Where each connection's flow control stands, for failure messages. */
    private String flowState() {
        StringBuilder sb = new StringBuilder("origin sent ").append(origin.sentBytes).append(", blocked ")
                .append(origin.blocked);
        for (Channel ch : proxy.server.pools().connections()) {
            sb.append("; proxy->backend autoRead=").append(ch.config().isAutoRead()).append(" writable=")
                    .append(ch.isWritable());
        }
        for (Channel ch : proxy.server.clients()) {
            sb.append("; proxy->client autoRead=").append(ch.config().isAutoRead()).append(" writable=")
                    .append(ch.isWritable());
        }
        return sb.toString();
    }

    private boolean anyBackendPaused() {
        for (Channel ch : proxy.server.pools().connections()) {
            if (!ch.config().isAutoRead()) {
                return true;
            }
        }
        return false;
    }

    /** Reads a response head; returns its Content-Length. */
    private static long skipHeaders(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("closed in headers: " + head);
            }
            head.append((char) b);
        }
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                return Long.parseLong(line.substring(15).trim());
            }
        }
        throw new AssertionError("no content-length in " + head);
    }

    private long drain(InputStream in, long bytes) throws Exception {
        byte[] buf = new byte[256 * 1024];
        long total = 0;
        while (total < bytes) {
            int n;
            try {
                n = in.read(buf, 0, (int) Math.min(buf.length, bytes - total));
            } catch (SocketTimeoutException e) {
                throw new AssertionError("stalled after " + total + " bytes; " + flowState(), e);
            }
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }
}
