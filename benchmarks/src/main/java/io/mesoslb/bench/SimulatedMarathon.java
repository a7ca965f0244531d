package io.mesoslb.bench;

import io.mesoslb.testkit.Replacement;
import java.net.URI;
import java.time.Duration;

/**
 * The simulated Marathon {@link EventToRouteLatency} measures against: in the benchmark's own JVM
 * ({@link InProcessMarathon}) or a process of its own ({@link MarathonProcess}). Either holds the measured app (one
 * task with a server of its own, answering its task id) and, made before anyone subscribed, the cluster around it.
 */
interface SimulatedMarathon extends AutoCloseable {
    Duration REPLACE_TIMEOUT = Duration.ofSeconds(10);

    URI uri();

    /** The measured app's one task now. */
    String measuredTask() throws Exception;

    /**
     * Kills the task without scaling down and returns once the replacement's TASK_RUNNING has been emitted, with
     * the {@link System#nanoTime()} of that emission in this JVM's terms; fails after {@link #REPLACE_TIMEOUT}.
     */
    Replacement replace(String taskId) throws Exception;

    /** How long making the cluster took, and what it took it in (for the report). */
    String setup();
}
