package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.testkit.Await;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReducerTest {
    private static final String THREAD = "reducer-under-test";

    private final Reducer reducer = new Reducer(r -> {
        Thread t = new Thread(r, THREAD);
        t.setDaemon(true);
        return t;
    });
    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void tearDown() {
        release.countDown();
        reducer.shutdownNow();
    }

    @Test
    void anIdleReducerRunsTheTaskOnTheCallersThreadAndWhatItAsksForRightAfter() {
        String caller = Thread.currentThread().getName();

        reducer.runHereOrQueue(() -> {
            reducer.then(() -> record("then"));
            record("task");
        });

        assertThat(ran).containsExactly("task on " + caller, "then on " + caller);
    }

    @Test
    void aTaskFindingAnotherRunningIsQueuedBehindItAndTheCallerDoesNotWait() {
        busy("first", () -> { });

        reducer.runHereOrQueue(() -> record("second"));
        assertThat(ran).isEmpty();
        release.countDown();

        Await.until(() -> ran.size() == 2);
        assertThat(ran).containsExactly("first on " + THREAD, "second on " + THREAD);
    }

    @Test
    void aTaskFindingTheLockFreeButOneHandedOverBeforeItNotYetRunIsQueuedBehindThatOne() {
        // "first" is handed over while a task runs in place, and its thread has not taken it up when the next task
        // comes: the lock is free, yet "second" must wait for "first".
        CountDownLatch threadMayRun = new CountDownLatch(1);
        Reducer gated = new Reducer(r -> {
            Thread t = new Thread(() -> {
                await(threadMayRun);
                r.run();
            }, THREAD);
            t.setDaemon(true);
            return t;
        });
        try {
            gated.runHereOrQueue(() -> {
                gated.execute(() -> record("first"));
                record("in place");
            });
            gated.runHereOrQueue(() -> record("second"));
            threadMayRun.countDown();

            Await.until(() -> ran.size() == 3);
            assertThat(ran).containsExactly("in place on " + Thread.currentThread().getName(), "first on " + THREAD,
                    "second on " + THREAD);
        } finally {
            threadMayRun.countDown();
            gated.shutdownNow();
        }
    }

    @Test
    void onTheThreadWhatATaskAsksForRunsAfterTheTasksHandedOverMeanwhile() {
        busy("task", () -> reducer.then(() -> record("then")));
        reducer.runHereOrQueue(() -> record("handed over"));
        release.countDown();

        Await.until(() -> ran.size() == 3);
        assertThat(ran).containsExactly("task on " + THREAD, "handed over on " + THREAD, "then on " + THREAD);
    }

    /** Hands the thread a task that waits for {@link #release}, then records {@code name} and runs {@code then}. */
    private void busy(String name, Runnable then) {
        CountDownLatch started = new CountDownLatch(1);
        reducer.execute(() -> {
            started.countDown();
            await(release);
            record(name);
            then.run();
        });
        await(started);
    }

    private void record(String what) {
        ran.add(what + " on " + Thread.currentThread().getName());
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
