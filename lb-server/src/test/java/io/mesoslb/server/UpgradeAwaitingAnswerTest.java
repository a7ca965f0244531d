package io.mesoslb.server;

import io.mesoslb.core.Backend;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.FullAcceptQueue;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.testkit.Await;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An upgrade request on the wire: from its end until the backend answers, the client's bytes stay
 * unread, so that after a 101 they reach the tunnel as sent (they are not HTTP any more), and after
 * a refusal they are read as the next request. A backend on a plain socket the test drives step by step.
 */
class UpgradeAwaitingAnswerTest {
    private static final String HOST = "ws." + ProxyFixture.DOMAIN;
    /** Bytes a client may send after an upgrade request, which look like a request but belong to the new protocol. */
    private static final String LOOKS_LIKE_HTTP = "GET /x HTTP/1.1\r\nHost: a\r\n\r\n";
    private static final String SWITCHING = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
            + "Upgrade: websocket\r\n\r\n";

    @RegisterExtension
    final Closer closer = new Closer();

    /**
     * Both upgrade requests reach the exchange as a head and an end read apart, the end held while
     * the proxy connects to the backend: one with a body (read in place), one whose leading empty
     * line sends it to Netty's decoder, which hands on a body-less request's head and empty end as two messages.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "GET /ws HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Content-Length: 4\r\n\r\nbody",
            "\r\nGET /ws HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
    })
    void bytesSentWhileTheUpgradeAwaitsItsAnswerReachTheTunnelAsSent(String upgrade) throws Exception {
        ServerSocket listener = listener();
        ProxyFixture proxy = proxyTo(listener);
        RawHttp client = closer.use(new RawHttp(proxy.port()));
        client.socket().setTcpNoDelay(true);

        client.send(upgrade);
        Socket backend = closer.use(listener.accept());
        backend.setSoTimeout(20_000);
        String request = readUntil(backend.getInputStream(), "\r\n\r\n");
        assertThat(request).startsWith("GET /ws HTTP/1.1\r\n").containsIgnoringCase("upgrade: websocket");
        if (upgrade.endsWith("body")) {
            assertThat(readUntil(backend.getInputStream(), "body")).isEqualTo("body");
        }

        client.send(LOOKS_LIKE_HTTP);
        proxyHadItsChanceToRead(proxy, client.socket());
        send(backend, SWITCHING);

        assertThat(client.read().status()).isEqualTo(101);
        client.send("ping");
        assertThat(readUntil(backend.getInputStream(), "ping")).isEqualTo(LOOKS_LIKE_HTTP + "ping");
        send(backend, "pong");
        assertThat(new String(client.socket().getInputStream().readNBytes(4), StandardCharsets.ISO_8859_1))
                .isEqualTo("pong");
    }

    /**
     * The bytes come while the proxy is still connecting to the backend (its SYNs dropped by a full
     * accept queue, until the test makes room): the request's end was read, taken (body-less) or held.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "GET /ws HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
            "GET /ws HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Content-Length: 4\r\n\r\nbody",
    })
    void bytesSentWhileTheProxyConnectsForAnUpgradeReachTheTunnelAsSent(String upgrade) throws Exception {
        FullAcceptQueue listener = closer.use(new FullAcceptQueue());
        // The SYN the proxy sends again after 1 s (or 3 s, on a slow run) must find room before it gives up.
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.connectTimeout("15s")))
                .app("/ws", listener.backend("t1", "/ws"));
        RawHttp client = closer.use(new RawHttp(proxy.port()));
        client.socket().setTcpNoDelay(true);

        client.send(upgrade);
        proxy.awaitBackendConnection(Duration.ofSeconds(10), null);
        client.send(LOOKS_LIKE_HTTP);
        proxyHadItsChanceToRead(proxy, client.socket());
        // Its two fillers first, then the proxy's connection, once the proxy's SYN comes again.
        listener.accept();
        listener.accept();
        Socket backend = listener.accept();
        backend.setSoTimeout(20_000);
        assertThat(readUntil(backend.getInputStream(), "\r\n\r\n")).startsWith("GET /ws HTTP/1.1\r\n");
        if (upgrade.endsWith("body")) {
            assertThat(readUntil(backend.getInputStream(), "body")).isEqualTo("body");
        }
        send(backend, SWITCHING);

        assertThat(client.read().status()).isEqualTo(101);
        client.send("ping");
        assertThat(readUntil(backend.getInputStream(), "ping")).isEqualTo(LOOKS_LIKE_HTTP + "ping");
    }

    @Test
    void aRefusedUpgradeLeavesTheConnectionServingRequests() throws Exception {
        ServerSocket listener = listener();
        ProxyFixture proxy = proxyTo(listener);
        RawHttp client = closer.use(new RawHttp(proxy.port()));

        client.send("GET /ws HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
        Socket backend = closer.use(listener.accept());
        backend.setSoTimeout(20_000);
        assertThat(readUntil(backend.getInputStream(), "\r\n\r\n")).startsWith("GET /ws HTTP/1.1\r\n");
        send(backend, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno");

        RawHttp.Response refused = client.read();
        assertThat(refused.status()).isEqualTo(200);
        assertThat(refused.text()).isEqualTo("no");

        client.send("GET /next HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n");
        assertThat(readUntil(backend.getInputStream(), "\r\n\r\n")).startsWith("GET /next HTTP/1.1\r\n");
        send(backend, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext");
        assertThat(client.read().text()).isEqualTo("next");
    }

    @Test
    void aRequestSentWhileTheUpgradeAwaitsARefusalIsServedAfterIt() throws Exception {
        ServerSocket listener = listener();
        ProxyFixture proxy = proxyTo(listener);
        RawHttp client = closer.use(new RawHttp(proxy.port()));
        client.socket().setTcpNoDelay(true);

        client.send("GET /ws HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
        Socket backend = closer.use(listener.accept());
        backend.setSoTimeout(20_000);
        assertThat(readUntil(backend.getInputStream(), "\r\n\r\n")).startsWith("GET /ws HTTP/1.1\r\n");

        client.send("GET /next HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n");
        proxyHadItsChanceToRead(proxy, client.socket());
        send(backend, "HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\nno");

        assertThat(client.read().status()).isEqualTo(400);
        assertThat(readUntil(backend.getInputStream(), "\r\n\r\n")).startsWith("GET /next HTTP/1.1\r\n");
        send(backend, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext");
        RawHttp.Response next = client.read();
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.text()).isEqualTo("next");
    }

    private ServerSocket listener() throws IOException {
        return closer.use(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    }

    private ProxyFixture proxyTo(ServerSocket listener) {
        return closer.use(new ProxyFixture()).app("/ws", new Backend("127.0.0.1", listener.getLocalPort(), "t1", "/ws"));
    }

    /**
     * Returns once the proxy's kernel has the client's last bytes (it acknowledged them) and the client
     * connection's event loop has turned twice since: a read the loop makes of them (it should make
     * none) comes before anything the backend sends next.
     */
    private static void proxyHadItsChanceToRead(ProxyFixture proxy, Socket client) throws Exception {
        Await.until(Duration.ofSeconds(10), () -> unacknowledged(client) == 0, "the client's bytes acknowledged");
        // A client's backend connection shares its event loop. A task submitted while the loop runs
        // others may run before its next poll of the sockets; the second comes after that poll.
        Channel toBackend = proxy.awaitBackendConnection(Duration.ofSeconds(10), null);
        for (int turn = 0; turn < 2; turn++) {
            toBackend.eventLoop().submit(() -> { }).get(10, TimeUnit.SECONDS);
        }
    }

    /** The bytes {@code s} sent that its peer has not acknowledged yet, from the kernel's socket table. */
    private static long unacknowledged(Socket s) {
        String local = String.format(":%04X", s.getLocalPort());
        String remote = String.format(":%04X", s.getPort());
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    // sl local_address rem_address st tx_queue:rx_queue ...
                    String[] f = line.trim().split("\\s+");
                    if (f[1].endsWith(local) && f[2].endsWith(remote)) {
                        return Long.parseLong(f[4].substring(0, f[4].indexOf(':')), 16);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new AssertionError("no socket " + s + " in /proc/net/tcp or /proc/net/tcp6");
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /** Reads up to and including {@code end} (the socket's read timeout bounds the wait). */
    private static String readUntil(InputStream in, String end) throws IOException {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        while (!read.toString(StandardCharsets.ISO_8859_1).endsWith(end)) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed after '" + read.toString(StandardCharsets.ISO_8859_1) + "'");
            }
            read.write(b);
        }
        return read.toString(StandardCharsets.ISO_8859_1);
    }
}
