package io.mesoslb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.RouteSpec;
import io.mesoslb.core.ServicePort;
import io.mesoslb.server.service.PortStatus;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.FullAcceptQueue;
import io.mesoslb.server.testing.OutcomeRecorder;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.TcpBackend;
import io.mesoslb.server.testing.TcpBackend.Behaviour;
import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.LoopbackPort;
import io.micrometer.core.instrument.Gauge;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every app port also served on its service port: TCP relayed both ways, on real sockets. */
class TcpServicePortTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Closer closer = new Closer();

    private static RouteSpec tcp(int port) {
        return RouteSpec.DEFAULT.withServicePort(ServicePort.of(port, ServicePort.Mode.TCP)).withoutHostRoute();
    }

    /** A number for a service port, which no port-0 bind takes before the proxy listens there. */
    private int servicePort() {
        return closer.use(LoopbackPort.forListener()).port();
    }

    private static void awaitListening(ProxyFixture proxy, int port) {
        Await.until(WAIT, () -> proxy.server.servicePorts().listeningPorts().contains(port), "port " + port + " listening");
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout((int) WAIT.toMillis());
        return s;
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] readN(InputStream in, int n) throws IOException {
        return in.readNBytes(n);
    }

    @Test
    void bytesGoBothWaysForEverySizeFromNothingTo50MiBInBoundedMemory() throws Exception {
        TcpBackend echo = closer.use(new TcpBackend("echo", Behaviour.ECHO));
        int port = servicePort();
        ProxyFixture proxy = closer.use(new ProxyFixture()).app("/echo", tcp(port), echo.backend("/echo"));
        awaitListening(proxy, port);

        long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        AtomicLong directPeak = new AtomicLong(directBefore);
        for (int size : new int[] {0, 1, 64 * 1024 + 3, 50 * 1024 * 1024}) {
            try (Socket s = connect(port)) {
                byte[] data = new byte[size];
                new Random(size).nextBytes(data);
                // Written from another thread: the echo comes back while the rest is still going out.
                CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                    try {
                        OutputStream out = s.getOutputStream();
                        out.write(data);
                        out.flush();
                        s.shutdownOutput();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                // Sampled while the bytes flow: the relay must hold at most a window of them, not the whole stream.
                CompletableFuture<Void> sampling = CompletableFuture.runAsync(() -> {
                    while (!sent.isDone()) {
                        directPeak.accumulateAndGet(PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory(), Math::max);
                        LockSupport.parkNanos(1_000_000);
                    }
                });
                byte[] back = s.getInputStream().readAllBytes();
                sent.join();
                sampling.join();
                assertThat(back.length).as("bytes echoed of " + size).isEqualTo(size);
                assertThat(MessageDigest.getInstance("SHA-256").digest(back))
                        .isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
            }
        }
        assertThat(directPeak.get() - directBefore).as("pooled direct memory the 50 MiB stream took at most")
                .isLessThan(24L * 1024 * 1024);
    }

    @Test
    void theClientsFinReachesTheBackendWhichStillAnswers() throws Exception {
        TcpBackend counter = closer.use(new TcpBackend("counter", Behaviour.COUNT_AFTER_EOF));
        int port = servicePort();
        ProxyFixture proxy = closer.use(new ProxyFixture()).app("/count", tcp(port), counter.backend("/count"));
        awaitListening(proxy, port);

        try (Socket s = connect(port)) {
            s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("read 5");
        }
    }

    @Test
    void theBackendsFinReachesTheClientWhichCanStillSend() throws Exception {
        TcpBackend finFirst = closer.use(new TcpBackend("early", Behaviour.FIN_FIRST));
        int port = servicePort();
        ProxyFixture proxy = closer.use(new ProxyFixture()).app("/fin", tcp(port), finFirst.backend("/fin"));
        awaitListening(proxy, port);

        try (Socket s = connect(port)) {
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("early");
            s.getOutputStream().write("still here".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            Await.until(WAIT, () -> !finFirst.received.isEmpty(), "backend saw the client's bytes and FIN");
            assertThat(finFirst.received).containsExactly("still here");
        }
    }

    @Test
    void aRefusingBackendIsSkippedAndEjected() throws Exception {
        TcpBackend good = closer.use(new TcpBackend("good", Behaviour.GREET_THEN_ECHO));
        int dead = closer.use(LoopbackPort.refusing()).port();
        int port = servicePort();
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.outlierConsecutiveFailures(2)))
                .app("/two", tcp(port), new io.mesoslb.core.Backend("127.0.0.1", dead, "dead", "/two"),
                        good.backend("/two"));
        awaitListening(proxy, port);

        for (int i = 0; i < 6; i++) {
            try (Socket s = connect(port)) {
                assertThat(new String(readN(s.getInputStream(), 4), StandardCharsets.US_ASCII)).isEqualTo("good");
            }
        }
        assertThat(proxy.server.ejections().ejections()).as("the refusing backend ejected").isEqualTo(1);
    }

    @Test
    void newConnectionsFollowTheAppsTasks() throws Exception {
        TcpBackend a = closer.use(new TcpBackend("aaaa", Behaviour.GREET_THEN_ECHO));
        TcpBackend b = closer.use(new TcpBackend("bbbb", Behaviour.GREET_THEN_ECHO));
        int port = servicePort();
        ProxyFixture proxy = closer.use(new ProxyFixture()).app("/scale", tcp(port), a.backend("/scale"));
        awaitListening(proxy, port);
        try (Socket kept = connect(port)) {
            assertThat(new String(readN(kept.getInputStream(), 4), StandardCharsets.US_ASCII)).isEqualTo("aaaa");

            proxy.app("/scale", tcp(port), b.backend("/scale"));
            try (Socket s = connect(port)) {
                assertThat(new String(readN(s.getInputStream(), 4), StandardCharsets.US_ASCII)).isEqualTo("bbbb");
            }
            // The established connection stays with its task.
            kept.getOutputStream().write('x');
            assertThat(kept.getInputStream().read()).isEqualTo('x');
        }
    }

    @Test
    void removingAnAppClosesItsPortWhileAnothersKeepsServing() throws Exception {
        TcpBackend one = closer.use(new TcpBackend("one!", Behaviour.GREET_THEN_ECHO));
        TcpBackend two = closer.use(new TcpBackend("two!", Behaviour.GREET_THEN_ECHO));
        int portOne = servicePort();
        int portTwo = servicePort();
        ProxyFixture proxy = closer.use(new ProxyFixture()).app("/one", tcp(portOne), one.backend("/one"))
                .app("/two", tcp(portTwo), two.backend("/two"));
        awaitListening(proxy, portOne);
        awaitListening(proxy, portTwo);

        try (Socket onTwo = connect(portTwo)) {
            assertThat(new String(readN(onTwo.getInputStream(), 4), StandardCharsets.US_ASCII)).isEqualTo("two!");
            proxy.remove("/one");
            Await.until(WAIT, () -> !proxy.server.servicePorts().listeningPorts().contains(portOne), "port reported closed");
            Await.until(WAIT, () -> refused(portOne), "port " + portOne + " refusing connections");

            onTwo.getOutputStream().write('y');
            assertThat(onTwo.getInputStream().read()).as("the other port's connection untouched").isEqualTo('y');
            try (Socket again = connect(portTwo)) {
                assertThat(new String(readN(again.getInputStream(), 4), StandardCharsets.US_ASCII)).isEqualTo("two!");
            }
        }
    }

    @Test
    void aPortTakenByAnotherProcessIsReportedAndTheRestServes() throws Exception {
        TcpBackend echo = closer.use(new TcpBackend("echo", Behaviour.GREET_THEN_ECHO));
        // Kept for the proxy from before the other process listens there until after it left.
        int busy = servicePort();
        try (ServerSocket taken = new ServerSocket()) {
            taken.setReuseAddress(true);
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), busy), 1);
            int free = servicePort();
            ProxyFixture proxy = closer.use(new ProxyFixture()).app("/busy", tcp(busy), echo.backend("/busy"))
                    .app("/free", tcp(free), echo.backend("/free"));
            awaitListening(proxy, free);
            Await.until(WAIT, () -> proxy.server.servicePorts().status().containsKey(busy), "busy port reported");
            PortStatus status = proxy.server.servicePorts().status().get(busy);
            assertThat(status.listening()).isFalse();
            assertThat(status.problem()).contains("cannot listen on").contains(Integer.toString(busy));
            assertThat(status.appId()).isEqualTo("/busy");
            try (Socket s = connect(free)) {
                assertThat(new String(readN(s.getInputStream(), 4), StandardCharsets.US_ASCII)).isEqualTo("echo");
            }
            assertThat(proxy.server.meterRegistry().find("mesoslb_service_port_bind_failures")
                    .tag("port", Integer.toString(busy)).counter().count()).isGreaterThanOrEqualTo(1.0);
            taken.close();
            // A failed port is tried again with the next table, even one that changed another app only.
            proxy.app("/third", tcp(servicePort()), echo.backend("/third"));
            awaitListening(proxy, busy);
            try (Socket s = connect(busy)) {
                assertThat(new String(readN(s.getInputStream(), 4), StandardCharsets.US_ASCII)).isEqualTo("echo");
            }
        }
    }

    @Test
    void twoAppsOnOnePortHaveOneDeterministicWinnerAndAReportedConflict() throws Exception {
        TcpBackend first = closer.use(new TcpBackend("aaaa", Behaviour.GREET_THEN_ECHO));
        TcpBackend second = closer.use(new TcpBackend("zzzz", Behaviour.GREET_THEN_ECHO));
        int port = servicePort();
        ProxyFixture proxy = closer.use(new ProxyFixture()).app("/zeta", tcp(port), second.backend("/zeta"))
                .app("/alpha", tcp(port), first.backend("/alpha"));
        awaitListening(proxy, port);

        List<String> greetings = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (Socket s = connect(port)) {
                greetings.add(new String(readN(s.getInputStream(), 4), StandardCharsets.US_ASCII));
            }
        }
        assertThat(greetings).containsOnly("aaaa");
        assertThat(proxy.routes.current().conflicts()).anySatisfy(c -> {
            assertThat(c.isServicePort()).isTrue();
            assertThat(c.winner()).isEqualTo("/alpha");
            assertThat(c.losers()).containsExactly("/zeta");
        });
    }

    @Test
    void aClientClosedByThePortsDrainWhileItsBackendIsConnectedCountsNothingAgainstTheBackend() throws Exception {
        FullAcceptQueue backend = closer.use(new FullAcceptQueue());
        OutcomeRecorder outcomes = new OutcomeRecorder();
        int port = servicePort();
        // Connects wait until the backend accepts them, which it never does here; the port's drain closes its
        // connections as soon as the port closes.
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.connectTimeout("60s").servicePortDrain("0s"), outcomes))
                .app("/slow", tcp(port), backend.backend("t1", "/slow"));
        awaitListening(proxy, port);

        try (Socket s = connect(port)) {
            Await.until(WAIT, () -> activeConnections(proxy, port) == 1, "the connection accepted, its backend connecting");
            proxy.remove("/slow");
            assertThat(s.getInputStream().read()).as("closed by the drain").isEqualTo(-1);
            Await.until(WAIT, () -> activeConnections(proxy, port) == 0, "the connection ended");
        }
        assertThat(outcomes.outcomes).isEmpty();
        assertThat(proxy.server.meterRegistry().find("mesoslb_service_connect_failures")
                .tag("port", Integer.toString(port)).counter().count()).isZero();
    }

    private static double activeConnections(ProxyFixture proxy, int port) {
        // The port's meters are made with its first connection.
        Gauge active = proxy.server.meterRegistry().find("mesoslb_service_connections_active")
                .tag("port", Integer.toString(port)).gauge();
        return active == null ? 0 : active.value();
    }
}
