package io.mesoslb.server;

import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.ChildOutput;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real process: {@code Main} in a child JVM routing to a test backend from a routes file, under
 * a steady load of keep-alive clients, gets SIGTERM. Every request sent must get its whole response;
 * the only other outcome allowed is a refused connect, once the listener has closed. Health must
 * turn 503 first, and the process must exit 0.
 */
class SigtermDrainTest {
    private static final Logger log = LoggerFactory.getLogger(SigtermDrainTest.class);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int CLIENTS = 4;

    @RegisterExtension
    final Closer closer = new Closer();

    @TempDir
    Path tmp;

    /** One keep-alive client: requests back to back, reconnecting when the proxy closes, until refused. */
    private static final class Client implements Runnable {
        final int port;
        final AtomicLong ok = new AtomicLong();
        final AtomicLong okAfterSigterm = new AtomicLong();
        final List<String> failures = new ArrayList<>();
        volatile long refusedAt;
        volatile boolean stop;
        volatile long sigtermAt = Long.MAX_VALUE;

        Client(int port) {
            this.port = port;
        }

        @Override
        public void run() {
            while (!stop) {
                RawHttp c;
                try {
                    c = new RawHttp(port);
                } catch (ConnectException e) {
                    refusedAt = System.nanoTime();
                    return;
                } catch (IOException e) {
                    failures.add("connect: " + e);
                    return;
                }
                try (c) {
                    boolean open = true;
                    while (open && !stop) {
                        c.send("GET /load HTTP/1.1\r\nHost: app.test.local\r\n\r\n");
                        RawHttp.Response r = c.read();
                        if (r.status() != 200 || !r.text().equals("ok")) {
                            failures.add("answer " + r.status() + " " + r.text());
                        }
                        ok.incrementAndGet();
                        if (System.nanoTime() > sigtermAt) {
                            okAfterSigterm.incrementAndGet();
                        }
                        open = !"close".equalsIgnoreCase(r.header("connection"));
                    }
                } catch (IOException e) {
                    // A request was sent and its response did not come whole: exactly what must not happen.
                    failures.add("request on an open connection: " + e);
                    return;
                }
            }
        }
    }

    @Test
    void sigtermDuringLoadLosesNoRequestAndExitsZero() throws Exception {
        TestOrigin origin = closer.use(TestOrigin.marker("ok"));
        Path routes = tmp.resolve("apps.json");
        Files.writeString(routes, "{\"apps\":[{\"id\":\"/app\",\"tasks\":[{\"id\":\"app.1\",\"host\":\"127.0.0.1\","
                + "\"ports\":[" + origin.port() + "],\"state\":\"TASK_RUNNING\"}]}]}");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--listen-host=127.0.0.1", "--listen-port=0", "--admin-host=127.0.0.1",
                "--admin-port=0", "--domain=test.local", "--routes-file=" + routes, "--worker-threads=2",
                "--drain-period=2s", "--shutdown-grace=10s", "--access-log=false")
                .redirectErrorStream(true).start();
        try {
            ChildOutput out = ChildOutput.follow(child);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            Await.until(WAIT, () -> out.proxyPort() > 0 && out.adminPort() > 0 || !child.isAlive(),
                    "child listening");
            assertThat(child.isAlive()).as("child running; its output:\n%s", out.text()).isTrue();
            URI health = URI.create("http://127.0.0.1:" + out.adminPort() + "/health");
            Await.until(WAIT, () -> status(http, health) == 200, "child healthy");

            List<Client> clients = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Client c = new Client(out.proxyPort());
                clients.add(c);
                Thread t = new Thread(c, "load-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            Await.until(WAIT, () -> clients.stream().allMatch(c -> c.ok.get() >= 50), "load running");

            long sigterm = System.nanoTime();
            clients.forEach(c -> c.sigtermAt = sigterm);
            child.destroy();

            long unhealthyAt = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (unhealthyAt == 0 && System.nanoTime() < deadline) {
                if (status(http, health) == 503) {
                    unhealthyAt = System.nanoTime();
                }
            }
            assertThat(child.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("child exited").isTrue();
            clients.forEach(c -> c.stop = true);
            for (Thread t : threads) {
                t.join(WAIT.toMillis());
            }

            assertThat(child.exitValue()).as("exit status; child output:\n%s", out.text()).isZero();
            long total = clients.stream().mapToLong(c -> c.ok.get()).sum();
            long duringDrain = clients.stream().mapToLong(c -> c.okAfterSigterm.get()).sum();
            log.info("SIGTERM under load: {} requests answered, {} of them after SIGTERM", total, duringDrain);
            for (Client c : clients) {
                assertThat(c.failures).as("failed requests; child output:\n%s", out.text()).isEmpty();
                assertThat(c.refusedAt).as("each client ends refused by the closed listener").isPositive();
                assertThat(c.refusedAt).as("health failed before the listener closed").isGreaterThan(unhealthyAt);
            }
            assertThat(unhealthyAt).as("health turned 503 while draining").isPositive();
            assertThat(duringDrain).as("traffic still served while draining").isPositive();
        } finally {
            child.destroyForcibly();
        }
    }

    private static int status(HttpClient http, URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
