package io.mesoslb.server;

import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.proxy.ProxyStatus;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.Backend;
import io.mesoslb.core.BackendState;
import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.LoopbackPort;
import io.netty.channel.Channel;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Backend connection pooling, health reporting, client aborts and graceful shutdown. */
class LifecycleTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    @RegisterExtension
    final Closer closer = new Closer();

    private <T extends AutoCloseable> T use(T resource) {
        return closer.use(resource);
    }

    private static boolean allClosed(TestOrigin origin) {
        return origin.channels.stream().noneMatch(Channel::isActive);
    }

    @Test
    void idleConnectionsToARemovedBackendAreClosed() throws Exception {
        TestOrigin old = use(TestOrigin.marker("old"));
        TestOrigin replacement = use(TestOrigin.marker("new"));
        ProxyFixture proxy = use(new ProxyFixture()).app("/a", old);
        assertThat(proxy.get("a.test.local", "/").body()).isEqualTo("old");
        assertThat(old.channels).hasSize(1).allMatch(Channel::isActive);

        proxy.app("/a", replacement);

        Await.until(WAIT, () -> allClosed(old), "pooled connection to the removed backend closed");
        assertThat(proxy.get("a.test.local", "/").body()).isEqualTo("new");
    }

    @Test
    void pooledConnectionsCloseAfterTheIdleTimeout() throws Exception {
        TestOrigin origin = use(TestOrigin.marker("x"));
        ProxyFixture proxy = use(new ProxyFixture(b -> b.backendIdleTimeout("200ms"))).app("/a", origin);
        proxy.get("a.test.local", "/");
        Await.until(WAIT, () -> allClosed(origin), "idle pooled connection closed");
        Await.until(WAIT, () -> proxy.server.pools().idleCount(origin.backend("/a")).join() == 0, "pool forgot it");
    }

    @Test
    void withoutIdleSlotsEveryRequestConnectsAfresh() throws Exception {
        TestOrigin origin = use(TestOrigin.marker("x"));
        ProxyFixture proxy = use(new ProxyFixture(b -> b.maxIdlePerBackend(0))).app("/a", origin);
        try (RawHttp c = new RawHttp(proxy.port())) {
            for (int i = 0; i < 3; i++) {
                assertThat(c.send("GET / HTTP/1.1\r\nHost: a.test.local\r\n\r\n").read().status()).isEqualTo(200);
            }
        }
        assertThat(origin.connections.get()).isEqualTo(3);
    }

    @Test
    void reportsEachBackendsOutcome() throws Exception {
        record Outcome(Backend backend, ProxyStatus status) {
        }
        Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        BackendOutcomes recorder = new BackendOutcomes() {
            @Override
            public void succeeded(BackendState backend) {
                outcomes.add(new Outcome(backend.backend(), ProxyStatus.SUCCESS));
            }

            @Override
            public void failed(BackendState backend, ProxyStatus status) {
                outcomes.add(new Outcome(backend.backend(), status));
            }
        };
        TestOrigin up = use(TestOrigin.marker("up"));
        Backend down = new Backend("127.0.0.1", use(LoopbackPort.refusing()).port(), "a-down", "/a");
        ProxyFixture proxy = use(new ProxyFixture(b -> b, recorder)).app("/a", up.backend("/a")).app("/b", down);

        assertThat(proxy.get("a.test.local", "/").statusCode()).isEqualTo(200);
        assertThat(proxy.get("b.test.local", "/").statusCode()).isEqualTo(502);

        Await.until(WAIT, () -> outcomes.size() >= 2, "two outcomes");
        assertThat(outcomes).containsExactly(new Outcome(up.backend("/a"), ProxyStatus.SUCCESS),
                new Outcome(down, ProxyStatus.CONNECT_FAILED));
    }

    @Test
    void clientAbortingAnUploadClosesTheBackendConnection() throws Exception {
        TestOrigin sink = use(TestOrigin.sink());
        ProxyFixture proxy = use(new ProxyFixture()).app("/sink", sink);
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send("POST / HTTP/1.1\r\nHost: sink.test.local\r\nContent-Length: 10000000\r\n\r\n");
            c.out().write(new byte[100_000]);
            c.out().flush();
            Await.until(WAIT, () -> sink.bodyBytes.get() == 100_000, "first part at the backend");
        }
        Await.until(WAIT, () -> allClosed(sink), "half-sent request's backend connection closed");
        Await.until(WAIT, () -> proxy.server.clients().isEmpty(), "client connection gone");
        // The next request is not sent down the broken connection.
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: sink.test.local\r\nContent-Length: 3\r\n\r\nabc").read();
            assertThat(r.text()).isEqualTo("3");
        }
    }

    @Test
    void shutdownLetsTheResponseInFlightFinishThenCloses() throws Exception {
        CompletableFuture<Void> resume = new CompletableFuture<>();
        TestOrigin origin = use(TestOrigin.download(1 << 20, 1 << 19, resume));
        ProxyFixture proxy = use(new ProxyFixture(b -> b.shutdownGrace("10s"))).app("/files", origin);
        TestOrigin idleOrigin = use(TestOrigin.marker("idle"));
        proxy.app("/idle", idleOrigin);
        try (RawHttp busy = new RawHttp(proxy.port()); RawHttp idle = new RawHttp(proxy.port())) {
            assertThat(idle.send("GET / HTTP/1.1\r\nHost: idle.test.local\r\n\r\n").read().text()).isEqualTo("idle");
            busy.send("GET / HTTP/1.1\r\nHost: files.test.local\r\n\r\n");
            InputStream in = busy.socket().getInputStream();
            assertThat(in.readNBytes(1000)).hasSize(1000);

            CompletableFuture<Void> closing = CompletableFuture.runAsync(proxy::close);
            Await.until(WAIT, () -> refusesConnections(proxy.port()), "listener closed");
            assertThat(idle.closedByPeer()).as("idle connection closed at once").isTrue();
            assertThat(closing).isNotDone();

            resume.complete(null);
            byte[] rest = in.readAllBytes();
            assertThat(rest.length).as("whole body, then close").isGreaterThan((1 << 20) - 1000);
            closing.get(10, TimeUnit.SECONDS);
        }
    }

    private static boolean refusesConnections(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return false;
        } catch (java.io.IOException e) {
            return true;
        }
    }
}
