package io.mesoslb.discovery.marathon;

import java.util.Set;

/** Which Marathon task states carry traffic, and which take a task out of rotation for good. */
final class TaskStates {
    /**
     * TASK_UNREACHABLE and TASK_LOST stay routable, as in marathon-lb: they say the Mesos master lost
     * the agent, not that this proxy cannot reach the task, which often still serves. If it really is
     * down, passive ejection takes it out within a few requests, whereas dropping it would shed the
     * capacity of a whole partitioned agent at once. Marathon replaces and finally expunges such
     * tasks (unreachableStrategy), which removes them here too.
     */
    private static final Set<String> ROUTABLE = Set.of("TASK_RUNNING", "TASK_UNREACHABLE", "TASK_LOST");

    /** Marathon is stopping the task: it gets no new requests, and is listed as draining until it is gone. */
    static final String KILLING = "TASK_KILLING";

    /** Killing or terminal: the task never serves again, so it leaves the table at once. */
    private static final Set<String> GONE = Set.of(KILLING, "TASK_KILLED", "TASK_FINISHED", "TASK_FAILED",
            "TASK_ERROR", "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR", "TASK_UNKNOWN");

    private TaskStates() {
    }

    static boolean routable(String state) {
        return ROUTABLE.contains(state);
    }

    static boolean gone(String state) {
        return GONE.contains(state);
    }
}
