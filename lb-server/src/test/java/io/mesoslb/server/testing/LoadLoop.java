package io.mesoslb.server.testing;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Client threads sending requests back to back until stopped or until a time limit, recording who
 * answered each request (the body: the simulator's backends answer with their task id) and every
 * failure (an exception or a status other than 200).
 */
public final class LoadLoop implements AutoCloseable {
    private final HttpClient client;
    private final Supplier<HttpRequest> request;
    private final long deadline;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    private final Map<String, LongAdder> servedBy = new ConcurrentHashMap<>();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicLong completed = new AtomicLong();

    private LoadLoop(HttpClient client, Supplier<HttpRequest> request, Duration limit) {
        this.client = client;
        this.request = request;
        this.deadline = System.nanoTime() + limit.toNanos();
    }

    /** Starts {@code threads} clients; they stop by themselves after {@code limit} at the latest. */
    public static LoadLoop start(int threads, Duration limit, HttpClient client, Supplier<HttpRequest> request) {
        LoadLoop loop = new LoadLoop(client, request, limit);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(loop::run, "load-" + i);
            t.setDaemon(true);
            loop.threads.add(t);
            t.start();
        }
        return loop;
    }

    private void run() {
        while (!stop.get() && System.nanoTime() - deadline < 0) {
            try {
                HttpResponse<String> response = client.send(request.get(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    servedBy.computeIfAbsent(response.body(), k -> new LongAdder()).increment();
                } else {
                    failures.add(response.statusCode() + " " + response.body());
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                failures.add(e.toString());
            }
            completed.incrementAndGet();
        }
    }

    /** Requests answered or failed so far. */
    public long completed() {
        return completed.get();
    }

    /** Requests answered 200 by this body (task id) so far. */
    public long servedBy(String body) {
        LongAdder n = servedBy.get(body);
        return n == null ? 0 : n.sum();
    }

    /** Every distinct body of a 200 answer so far. */
    public List<String> answeredBy() {
        return List.copyOf(servedBy.keySet());
    }

    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** Whether the time limit ended the loop (a test that meant to stop it earlier took too long). */
    public boolean timedOut() {
        return System.nanoTime() - deadline >= 0;
    }

    /** Stops the clients and waits for their last request to finish; the counts are final then. */
    public void stop() {
        stop.set(true);
        try {
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(30).toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
