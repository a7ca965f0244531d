package io.mesoslb.server.proxy.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReadBatchClockTest {
    private final ReadBatchClock clock = new ReadBatchClock();

    /** Spins until System.nanoTime() has moved past {@code t}: a later read must then differ. */
    static void clockMovesPast(long t) {
        while (System.nanoTime() <= t) {
            Thread.onSpinWait();
        }
    }

    @Test
    void withinABatchTheClockIsReadOnceAndAfterItAfresh() {
        clock.batchStarted();
        long first = clock.now();
        clockMovesPast(first);
        assertThat(clock.now()).isEqualTo(first);
        clock.batchStarted();
        assertThat(clock.now()).as("a second read of the same batch").isEqualTo(first);
        clock.batchEnded();
        assertThat(clock.now()).isGreaterThan(first);

        clock.batchStarted();
        long next = clock.now();
        assertThat(next).as("a new batch reads the clock again").isGreaterThan(first);
        clock.batchEnded();
    }

    @Test
    void outsideABatchEveryReadIsFresh() {
        long first = clock.now();
        clockMovesPast(first);
        assertThat(clock.now()).isGreaterThan(first);
        clock.batchStarted();
        clock.batchEnded();
        long later = clock.now();
        clockMovesPast(later);
        assertThat(clock.now()).isGreaterThan(later);
    }
}
