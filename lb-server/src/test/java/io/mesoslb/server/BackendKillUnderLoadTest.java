package io.mesoslb.server;

import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.OutcomeRecorder;
import io.mesoslb.server.testing.ProxyFixture;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.Backend;
import io.mesoslb.core.EjectionEvent;
import io.mesoslb.testkit.Await;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded load run over three backends, one of which is killed once it has served its share of
 * the early traffic; the run goes on for as many requests again after the kill.
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
    private static final Duration WAIT = Duration.ofSeconds(30);
    // Requests before the kill (by the victim alone) and after it (by all clients): enough for a
    // warm proxy before and for several rounds of the rotation over the dead backend after.
    private static final int VICTIM_REQUESTS_BEFORE_KILL = 300;
    private static final int REQUESTS_AFTER_KILL = 3_000;
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
        AtomicBoolean stop = new AtomicBoolean();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(pool.submit(() -> load(proxy, stop, completed, failures)));
            }
            Await.until(WAIT, () -> victim.requests() >= VICTIM_REQUESTS_BEFORE_KILL, "the victim served traffic");
            int victimRequestsBeforeKill = victim.requests();
            long killedAt = System.nanoTime();
            victim.stop();
            long completedAtKill = completed.sum();
            Await.until(WAIT, () -> completed.sum() - completedAtKill >= REQUESTS_AFTER_KILL,
                    "the load went on after the kill");
            stop.set(true);
            for (Future<?> f : clients) {
                f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            long runMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            long total = completed.sum();
            long ejectionMillis = ejectedAt.get() == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(ejectedAt.get() - killedAt);
            log.info("load run: {} requests by {} clients in {} ms, {} failed; victim served {} before the kill, "
                            + "ejected {} ms after it, {} failures reported against it (retried); survivors served {} "
                            + "and {}", total, CLIENTS, runMillis, failures.size(), victimRequestsBeforeKill,
                    ejectionMillis, recorder.failures(routed.get(1)), backends.get(0).requests(),
                    backends.get(2).requests());

            assertThat(ejectedAt.get()).as("the killed backend was ejected").isPositive();
            assertThat(failures).as("failed requests (bound %d)", MAX_FAILURES).hasSizeLessThanOrEqualTo((int) MAX_FAILURES);
            assertThat(failures).as("no failure after the ejection").noneMatch(f -> f.startNanos() - ejectedAt.get() > 0);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void load(ProxyFixture proxy, AtomicBoolean stop, LongAdder completed, Queue<Failure> failures) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = proxy.request(HOST, "/").GET().build();
        while (!stop.get()) {
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
