package io.mesoslb.discovery.marathon;

import java.util.ArrayDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where discovery's state is changed: one task at a time, those handed over in the order they were handed over.
 *
 * <p>A task runs on the reducer's own thread, or, through {@link #runHereOrQueue}, on the thread that hands it over
 * when nothing is queued and no task is running: then no thread is woken for it. Whoever runs a task holds the
 * reducer's lock, which gives each task the state as the one before left it. Tasks that block (a snapshot, a
 * re-fetch) go through {@link #execute} or a timer, so they run on the reducer's thread, and a caller of
 * {@link #runHereOrQueue} never waits for them: it queues its task behind them instead.
 */
final class Reducer {
    private final ScheduledExecutorService thread;
    private final ReentrantLock running = new ReentrantLock();
    /** Tasks handed to the thread in order and not yet finished. */
    private final AtomicInteger queued = new AtomicInteger();
    /** What a task run in place asked to run after it (with the lock). */
    private final ArrayDeque<Runnable> after = new ArrayDeque<>();
    /** Whether the task running (with the lock) runs in place. */
    private boolean inPlace;

    Reducer(ThreadFactory threads) {
        this.thread = Executors.newSingleThreadScheduledExecutor(threads);
    }

    /** Queues {@code task} behind every task handed over before it. */
    void execute(Runnable task) {
        queued.incrementAndGet();
        try {
            thread.execute(() -> {
                try {
                    locked(task);
                } finally {
                    queued.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            queued.decrementAndGet();
            throw e;
        }
    }

    /**
     * Runs {@code task} now on this thread if nothing handed over is waiting or running; queues it otherwise. Never
     * waits: {@code task} must not block either.
     */
    void runHereOrQueue(Runnable task) {
        if (queued.get() == 0 && !running.isHeldByCurrentThread() && running.tryLock()) {
            try {
                if (queued.get() == 0) {
                    inPlace = true;
                    try {
                        task.run();
                        for (Runnable next; (next = after.poll()) != null; ) {
                            next.run();
                        }
                    } finally {
                        inPlace = false;
                        after.clear();
                    }
                    return;
                }
            } finally {
                running.unlock();
            }
        }
        execute(task);
    }

    /**
     * From a running task: runs {@code next} after it. On the thread, tasks handed over meanwhile run first (they
     * join what {@code next} does); in place nothing was waiting, and {@code next} runs right after the task.
     */
    void then(Runnable next) {
        if (inPlace) {
            after.add(next);
        } else {
            execute(next);
        }
    }

    void schedule(Runnable task, long delay, TimeUnit unit) {
        thread.schedule(() -> locked(task), delay, unit);
    }

    void scheduleWithFixedDelay(Runnable task, long initialDelay, long delay, TimeUnit unit) {
        thread.scheduleWithFixedDelay(() -> locked(task), initialDelay, delay, unit);
    }

    /** Whether nothing is queued or running: a task handed over now would run in place. */
    boolean idle() {
        return queued.get() == 0 && !running.isLocked();
    }

    void shutdownNow() {
        thread.shutdownNow();
    }

    private void locked(Runnable task) {
        running.lock();
        try {
            task.run();
        } finally {
            running.unlock();
        }
    }
}
