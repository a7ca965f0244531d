package io.mesoslb.server.auth;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads password hashes run on, away from the event loops. Few threads, so that a flood of
 * fresh credentials takes at most those cores from the proxy; a short queue, so that under such a
 * flood a request is refused at once (the gate answers 503) instead of waiting behind seconds of
 * hashing; AbortPolicy, never CallerRuns, which would hash on the event loop.
 */
public final class HashingExecutor {
    /** About a second of work at 10-20 ms a hash per thread, before new credentials are refused. */
    public static final int DEFAULT_QUEUE_CAPACITY = 64;

    private HashingExecutor() {
    }

    /** Half the cores, one to four threads. */
    public static ExecutorService createDefault() {
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
        return create(threads, DEFAULT_QUEUE_CAPACITY);
    }

    public static ExecutorService create(int threads, int queueCapacity) {
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task, "mesos-lb-auth-" + count.incrementAndGet());
            // Daemon: an in-flight hash must not hold the JVM up at shutdown.
            thread.setDaemon(true);
            return thread;
        };
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity), factory, new ThreadPoolExecutor.AbortPolicy());
    }
}
