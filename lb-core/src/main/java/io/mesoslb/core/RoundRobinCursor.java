package io.mesoslb.core;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The rotation position of one app. It is carried from snapshot to snapshot so that a table swap
 * neither resets the rotation nor sends a burst to the first backend; callers on every event
 * loop share it, and one atomic increment keeps their picks evenly spread.
 */
public final class RoundRobinCursor {
    private final AtomicLong next = new AtomicLong();

    /** The index to use among {@code size} candidates (size &gt; 0). */
    public int nextIndex(int size) {
        return (int) Long.remainderUnsigned(next(), size);
    }

    /** The raw turn number; callers that must know which round a turn belongs to use this. */
    long next() {
        return next.getAndIncrement();
    }
}
