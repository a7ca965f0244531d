package io.mesoslb.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker that moves only when told; starts near the wrap point to catch subtraction bugs. */
final class FakeTicker implements Ticker {
    private final AtomicLong now = new AtomicLong(Long.MAX_VALUE - Duration.ofMinutes(1).toNanos());

    @Override
    public long nanos() {
        return now.get();
    }

    void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }
}
