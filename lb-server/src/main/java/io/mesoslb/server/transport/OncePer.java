package io.mesoslb.server.transport;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets an action through at most once per interval, from any thread: a warning that a busy
 * listener could otherwise write thousands of times a second.
 */
final class OncePer {
    private final long intervalNanos;
    private final AtomicLong last;

    OncePer(Duration interval) {
        this.intervalNanos = interval.toNanos();
        // The first call always passes.
        this.last = new AtomicLong(System.nanoTime() - intervalNanos);
    }

    /** True for the first caller since the interval last passed. */
    boolean due() {
        long prev = last.get();
        long now = System.nanoTime();
        return now - prev >= intervalNanos && last.compareAndSet(prev, now);
    }
}
