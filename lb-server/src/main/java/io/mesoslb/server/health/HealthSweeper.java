package io.mesoslb.server.health;

import io.mesoslb.core.OutlierDetector;
import io.mesoslb.core.RouteTableHolder;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices, on a thread of its own, backends whose ejection has run out. Selection takes them back
 * by itself; the sweep is what announces the return and puts them on probation even when no
 * request reaches them, and it keeps that walk over the whole table off the event loops.
 */
public final class HealthSweeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthSweeper.class);

    private final ScheduledExecutorService thread;

    private HealthSweeper(ScheduledExecutorService thread) {
        this.thread = thread;
    }

    public static HealthSweeper start(OutlierDetector detector, RouteTableHolder routes, Duration interval) {
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mesos-lb-health");
            t.setDaemon(true);
            return t;
        });
        long nanos = interval.toNanos();
        thread.scheduleWithFixedDelay(() -> {
            try {
                detector.sweep(routes.current());
            } catch (RuntimeException e) {
                // A failed sweep must not cancel the schedule: the next one may well succeed.
                log.warn("passive health sweep failed", e);
            }
        }, nanos, nanos, TimeUnit.NANOSECONDS);
        return new HealthSweeper(thread);
    }

    /**
     * Often enough that a return is noticed within a fraction of the shortest ejection, and at
     * least once a second.
     */
    public static Duration intervalFor(Duration baseEjectionTime) {
        Duration quarter = baseEjectionTime.dividedBy(4);
        Duration floor = Duration.ofMillis(10);
        Duration ceiling = Duration.ofSeconds(1);
        return quarter.compareTo(floor) < 0 ? floor : quarter.compareTo(ceiling) > 0 ? ceiling : quarter;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
