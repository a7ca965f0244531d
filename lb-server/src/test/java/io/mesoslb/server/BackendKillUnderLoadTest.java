package io.mesoslb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.Backend;
import io.mesoslb.core.EjectionEvent;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.OutcomeRecorder;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.testkit.LoopbackBackend;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded load run over three backends, one of which is killed a third of the way in.
 *
 * <p>The bound is zero failed requests: requests that were in flight on the killed backend's
 * connections are GETs, replayed on a fresh connection and then, their connect refused, on a
 * surviving backend; requests picking it afterwards are retried after the refused connect until
 * passive health ejects it. Default settings throughout (one retry, five failures to eject).
 */
class BackendKillUnderLoadTest {
    private static final Logger log = LoggerFactory.getLogger(BackendKillUnderLoadTest.class);
    private static final String APP = "/load";
    private static final String HOST = "load.test.local";
    private static final int CLIENTS = 6;
    private static final Duration RUN = Duration.ofSeconds(3);
    private static final long MAX_FAILURES = 0;

    @RegisterExtension
    final Closer closer = new Closer();

    private record Failure(long startNanos, String what) {
    }

    @Test
    void killingOneOfThreeBackendsUnderLoadFailsNoRequest() throws Exception {
        List<LoopbackBackend> backends = new ArrayList<>();
        List<Backend> routed = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            LoopbackBackend b = closer.use(LoopbackBackend.start("load-task-" + i));
            backends.add(b);
            routed.add(new Backend(b.host(), b.port(), b.taskId(), APP));
        }
        OutcomeRecorder recorder = new OutcomeRecorder();
        ProxyFixture proxy = closer.use(new ProxyFixture(c -> c, recorder)).app(APP, routed.toArray(new Backend[0]));
        LoopbackBackend victim = backends.get(1);
        AtomicLong ejectedAt = new AtomicLong();
        proxy.server.ejections().addListener(e -> {
            if (e.kind() == EjectionEvent.Kind.EJECTED && e.backend().taskId().equals(victim.taskId())) {
                ejectedAt.compareAndSet(0, System.nanoTime());
            }
        });

        LongAdder completed = new LongAdder();
        Queue<Failure> failures = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        long end = start + RUN.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(pool.submit(() -> load(proxy, end, completed, failures)));
            }
            // Load shaping, not synchronisation: the kill happens a third of the way into the run.
            TimeUnit.NANOSECONDS.sleep(RUN.toNanos() / 3);
            int victimRequestsBeforeKill = victim.requests();
            long killedAt = System.nanoTime();
            victim.stop();
            for (Future<?> f : clients) {
                f.get(RUN.toSeconds() + 30, TimeUnit.SECONDS);
            }

            long total = completed.sum();
            long ejectionMillis = ejectedAt.get() == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(ejectedAt.get() - killedAt);
            log.info("load run: {} requests by {} clients in {} ms, {} failed; victim served {} before the kill, "
                            + "ejected {} ms after it, {} failures reported against it (retried); survivors served {} "
                            + "and {}", total, CLIENTS, RUN.toMillis(), failures.size(), victimRequestsBeforeKill,
                    ejectionMillis, recorder.failures(routed.get(1)), backends.get(0).requests(),
                    backends.get(2).requests());

            assertThat(total).as("the run put real load through the proxy").isGreaterThan(300);
            assertThat(victimRequestsBeforeKill).isPositive();
            assertThat(ejectedAt.get()).as("the killed backend was ejected").isPositive();
            assertThat(failures).as("failed requests (bound %d)", MAX_FAILURES).hasSizeLessThanOrEqualTo((int) MAX_FAILURES);
            assertThat(failures).as("no failure after the ejection").noneMatch(f -> f.startNanos() - ejectedAt.get() > 0);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void load(ProxyFixture proxy, long end, LongAdder completed, Queue<Failure> failures) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = proxy.request(HOST, "/").GET().build();
        while (System.nanoTime() - end < 0) {
            long t = System.nanoTime();
            try {
                HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    failures.add(new Failure(t, r.statusCode() + " " + r.body().strip()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                failures.add(new Failure(t, e.toString()));
            }
            completed.increment();
        }
    }
}
