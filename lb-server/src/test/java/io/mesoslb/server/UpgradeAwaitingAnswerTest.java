package io.mesoslb.server;

import io.mesoslb.core.Backend;
import io.mesoslb.server.auth.KnownHashes;
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
import java.util.Base64;
import java.util.List;
import java.util.Map;
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
    /** An upgrade request without a body, read in place. */
    private static final String UPGRADE = "GET /ws HTTP/1.1\r\nHost: " + HOST
            + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
    /** One with a body, read in place: its head and its body's end reach the exchange apart. */
    private static final String WITH_BODY = "GET /ws HTTP/1.1\r\nHost: " + HOST
            + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 4\r\n\r\nbody";
    /** One read by Netty's decoder (a leading empty line), which hands on its head and empty end as two messages. */
    private static final String AFTER_AN_EMPTY_LINE = "\r\n" + UPGRADE;
    private static final String NEXT = "GET /next HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n";
    /** Bytes a client may send after an upgrade request, which look like a request but belong to the new protocol. */
    private static final String LOOKS_LIKE_HTTP = "GET /x HTTP/1.1\r\nHost: a\r\n\r\n";
    /** Bytes of no HTTP shape at all: a NUL, high bytes, a lone CR, an empty line. */
    private static final String BINARY = "\u0000\u00ff\u0081\u0085\r\u00fe\r\n\r\n\u0001";
    /** A masked WebSocket text frame, "Hello" (RFC 6455 5.7). */
    private static final String MASKED_HELLO = "\u0081\u0085\u0037\u00fa\u0021\u003d\u007f\u009f\u004d\u0051\u0058";
    private static final String SWITCHING = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
            + "Upgrade: websocket\r\n\r\n";

    @RegisterExtension
    final Closer closer = new Closer();
    private ServerSocket listener;
    private ProxyFixture proxy;

    /**
     * Both upgrade requests reach the exchange as a head and an end read apart, the end held while
     * the proxy connects to the backend: one with a body (read in place), one whose leading empty
     * line sends it to Netty's decoder, which hands on a body-less request's head and empty end as two messages.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            WITH_BODY,
            AFTER_AN_EMPTY_LINE,
    })
    void bytesSentWhileTheUpgradeAwaitsItsAnswerReachTheTunnelAsSent(String upgrade) throws Exception {
        RawHttp client = start();

        client.send(upgrade);
        Socket backend = acceptUpgrade(upgrade);

        client.send(LOOKS_LIKE_HTTP);
        proxyHadItsChanceToRead(proxy, client.socket());
        switchAndRelay(client, backend, LOOKS_LIKE_HTTP);
    }

    /**
     * The bytes come while the proxy is still connecting to the backend (its SYNs dropped by a full
     * accept queue, until the test makes room): the request's end was read, taken (body-less) or held.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            UPGRADE,
            WITH_BODY,
    })
    void bytesSentWhileTheProxyConnectsForAnUpgradeReachTheTunnelAsSent(String upgrade) throws Exception {
        FullAcceptQueue full = closer.use(new FullAcceptQueue());
        // The SYN the proxy sends again after 1 s (or 3 s, on a slow run) must find room before it gives up.
        proxy = closer.use(new ProxyFixture(b -> b.connectTimeout("15s"))).app("/ws", full.backend("t1", "/ws"));
        RawHttp client = closer.use(new RawHttp(proxy.port()));
        client.socket().setTcpNoDelay(true);

        client.send(upgrade);
        proxy.awaitBackendConnection(Duration.ofSeconds(10), null);
        client.send(LOOKS_LIKE_HTTP);
        proxyHadItsChanceToRead(proxy, client.socket());
        // Its two fillers first, then the proxy's connection, once the proxy's SYN comes again.
        full.accept();
        full.accept();
        Socket backend = readUpgrade(full.accept(), upgrade);
        switchAndRelay(client, backend, LOOKS_LIKE_HTTP);
    }

    @Test
    void aRefusedUpgradeLeavesTheConnectionServingRequests() throws Exception {
        RawHttp client = start();

        client.send(UPGRADE);
        Socket backend = acceptUpgrade(UPGRADE);
        send(backend, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno");

        RawHttp.Response refused = client.read();
        assertThat(refused.status()).isEqualTo(200);
        assertThat(refused.text()).isEqualTo("no");

        client.send(NEXT);
        assertThat(readUntil(backend.getInputStream(), "\r\n\r\n")).startsWith("GET /next HTTP/1.1\r\n");
        send(backend, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext");
        assertThat(client.read().text()).isEqualTo("next");
    }

    @Test
    void aRequestSentWhileTheUpgradeAwaitsARefusalIsServedAfterIt() throws Exception {
        RawHttp client = start();

        client.send(UPGRADE);
        Socket backend = acceptUpgrade(UPGRADE);

        client.send(NEXT);
        proxyHadItsChanceToRead(proxy, client.socket());
        refuseThenServeNext(client, backend);
    }

    /**
     * The client sends the upgrade request and, in the same write, bytes of the new protocol: some that look like a
     * request, some binary. They arrive in the read that ends the request, and reach the backend after the 101,
     * once, as sent, before what the client sends later. The request read in place without and with a body, and
     * read by Netty's decoder (a leading empty line).
     */
    @ParameterizedTest
    @ValueSource(strings = {
            UPGRADE,
            WITH_BODY,
            AFTER_AN_EMPTY_LINE,
    })
    void bytesSentWithTheUpgradeRequestInOneWriteReachTheTunnelOnceAsSent(String upgrade) throws Exception {
        RawHttp client = start();
        String trailing = LOOKS_LIKE_HTTP + BINARY;

        client.send(upgrade + trailing);
        Socket backend = acceptUpgrade(upgrade);
        switchAndRelay(client, backend, trailing);
    }

    /**
     * A WebSocket client's first frames right behind its upgrade request: a binary message that carries a request
     * (mask key 0, so the request is on the wire as is), then a text frame split, its start in the upgrade request's
     * read, its rest in a later one.
     */
    @Test
    void framesSplitBetweenTheUpgradeRequestsReadAndALaterOneReachTheTunnelWhole() throws Exception {
        RawHttp client = start();
        String carryingARequest = "\u0082" + (char) (0x80 | LOOKS_LIKE_HTTP.length()) + "\u0000\u0000\u0000\u0000"
                + LOOKS_LIKE_HTTP;

        client.send(UPGRADE + carryingARequest + MASKED_HELLO.substring(0, 6));
        Socket backend = acceptUpgrade(UPGRADE);
        client.send(MASKED_HELLO.substring(6));
        proxyHadItsChanceToRead(proxy, client.socket());
        switchAndRelay(client, backend, carryingARequest + MASKED_HELLO);
    }

    /** Refused: the bytes that came with the upgrade request in one write are the next request, served after it. */
    @Test
    void aRequestSentWithARefusedUpgradeRequestInOneWriteIsServedAfterIt() throws Exception {
        RawHttp client = start();

        client.send(UPGRADE + NEXT);
        Socket backend = acceptUpgrade(UPGRADE);
        refuseThenServeNext(client, backend);
    }

    /**
     * Refused by the proxy itself, after the upgrade request's end was read (basic auth's 401 once the wrong password
     * was hashed off the event loop; no backend asked): the request sent with it in one write, with the right
     * password, is read after the answer and served.
     */
    @Test
    void aRequestSentWithAnUpgradeTheProxyRefusesIsServedAfterTheRefusal() throws Exception {
        listener = closer.use(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        proxy = closer.use(new ProxyFixture()).app("/ws", Map.of("HAPROXY_0_VHOST", HOST,
                "HAPROXY_0_AUTH", "realm:alice:" + KnownHashes.MD5), new Backend("127.0.0.1", listener.getLocalPort(),
                "t1", "/ws"));
        RawHttp client = closer.use(new RawHttp(proxy.port()));

        client.send(withCredentials(UPGRADE, KnownHashes.WRONG_PASSWORD)
                + withCredentials(NEXT, KnownHashes.PASSWORD));

        assertThat(client.read().status()).isEqualTo(401);
        // The request after the refusal is what first reaches the backend; without it, accept fails in 20 s.
        listener.setSoTimeout(20_000);
        Socket backend = closer.use(listener.accept());
        backend.setSoTimeout(20_000);
        assertThat(readUntil(backend.getInputStream(), "\r\n\r\n")).startsWith("GET /next HTTP/1.1\r\n");
        send(backend, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext");
        RawHttp.Response next = client.read();
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.text()).isEqualTo("next");
    }

    private static String withCredentials(String request, String password) {
        return request.replace("\r\n\r\n", "\r\nAuthorization: Basic " + Base64.getEncoder().encodeToString(
                ("alice:" + password).getBytes(StandardCharsets.UTF_8)) + "\r\n\r\n");
    }

    /** The backend's end of the proxy's next connection, once it has read the upgrade request (its body included). */
    private Socket acceptUpgrade(String upgrade) throws IOException {
        return readUpgrade(closer.use(listener.accept()), upgrade);
    }

    private static Socket readUpgrade(Socket backend, String upgrade) throws IOException {
        backend.setSoTimeout(20_000);
        String request = readUntil(backend.getInputStream(), "\r\n\r\n");
        assertThat(request).startsWith("GET /ws HTTP/1.1\r\n").containsIgnoringCase("upgrade: websocket");
        if (upgrade.endsWith("body")) {
            assertThat(readUntil(backend.getInputStream(), "body")).isEqualTo("body");
        }
        return backend;
    }

    /** The backend switches; then it gets {@code first} and the client's next bytes, and the client its bytes. */
    private static void switchAndRelay(RawHttp client, Socket backend, String first) throws IOException {
        send(backend, SWITCHING);
        assertThat(client.read().status()).isEqualTo(101);
        client.send("ping");
        assertThat(readUntil(backend.getInputStream(), "ping")).isEqualTo(first + "ping");
        send(backend, "pong");
        assertThat(new String(client.socket().getInputStream().readNBytes(4), StandardCharsets.ISO_8859_1))
                .isEqualTo("pong");
    }

    /** The backend refuses the upgrade; then it reads {@link #NEXT}, which the client sent, and answers it. */
    private static void refuseThenServeNext(RawHttp client, Socket backend) throws IOException {
        send(backend, "HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\nno");
        assertThat(client.read().status()).isEqualTo(400);
        assertThat(readUntil(backend.getInputStream(), "\r\n\r\n")).startsWith("GET /next HTTP/1.1\r\n");
        send(backend, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext");
        RawHttp.Response next = client.read();
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.text()).isEqualTo("next");
    }

    /** A backend's listener, a proxy routing to it, and a client of the proxy's, which sends each write at once. */
    private RawHttp start() throws IOException {
        listener = closer.use(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        proxy = closer.use(new ProxyFixture()).app("/ws", new Backend("127.0.0.1", listener.getLocalPort(), "t1", "/ws"));
        RawHttp client = closer.use(new RawHttp(proxy.port()));
        client.socket().setTcpNoDelay(true);
        return client;
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
