package io.mesoslb.server.proxy.exchange;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A timeout that a connection starts and stops once per request, on its event loop.
 *
 * <p>Scheduling and cancelling a task per request would allocate one per request and churn the
 * loop's timer queue. Instead the scheduled task outlives {@link #stop()}: when it fires it
 * compares against the start time of the current run and goes back to sleep for the rest of it.
 * A busy keep-alive connection so schedules at most one task per timeout period.
 */
public final class Deadline implements Runnable {
    private final EventExecutor executor;
    private final long timeoutNanos;
    private final Runnable onExpiry;
    private Future<?> task;
    private boolean running;
    private long startNanos;

    /** @param onExpiry runs on {@code executor} once a run lasts {@code timeoutNanos} without {@link #stop()} */
    public Deadline(EventExecutor executor, long timeoutNanos, Runnable onExpiry) {
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("timeout must be positive: " + timeoutNanos);
        }
        this.executor = executor;
        this.timeoutNanos = timeoutNanos;
        this.onExpiry = onExpiry;
    }

    /** Starts a run unless one is going on. */
    public void start() {
        if (!running) {
            restartAt(System.nanoTime());
        }
    }

    /** {@link #start()} with a {@link System#nanoTime()} the caller has read (a {@link ReadBatchClock}'s). */
    public void startAt(long nowNanos) {
        if (!running) {
            restartAt(nowNanos);
        }
    }

    /** Starts a run afresh, whether or not one is going on. */
    public void restart() {
        restartAt(System.nanoTime());
    }

    /** {@link #restart()} with a {@link System#nanoTime()} the caller has already read, to share one read among timers. */
    public void restartAt(long nowNanos) {
        running = true;
        startNanos = nowNanos;
        if (task == null) {
            task = executor.schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    public void stop() {
        running = false;
    }

    public boolean isRunning() {
        return running;
    }

    public long timeoutMillis() {
        return TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
    }

    /** Stops for good: drops the scheduled task, so that a closed connection is not kept reachable. */
    public void cancel() {
        running = false;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    @Override
    public void run() {
        task = null;
        if (!running) {
            return;
        }
        long left = startNanos + timeoutNanos - System.nanoTime();
        if (left > 0) {
            task = executor.schedule(this, left, TimeUnit.NANOSECONDS);
            return;
        }
        running = false;
        onExpiry.run();
    }
}
