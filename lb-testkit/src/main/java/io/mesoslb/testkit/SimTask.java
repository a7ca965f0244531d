package io.mesoslb.testkit;

import java.util.List;

/**
 * A snapshot of one simulated Marathon task.
 *
 * @param port  the port of its HTTP server answering with the task id (its first port when that is HTTP)
 * @param state Marathon's task state string, e.g. {@code TASK_RUNNING} or {@code TASK_KILLING}
 * @param alive the latest health check result, {@code null} when Marathon has none (no health checks, still in
 *              the grace period, or forgotten after a leader change)
 * @param ports the task's host port for each of its app's ports, in order (what Marathon reports as {@code ports})
 */
public record SimTask(String id, String instanceId, String appId, String host, int port, String state, Boolean alive,
        String version, List<Integer> ports) {
    public SimTask {
        ports = ports == null ? List.of(port) : List.copyOf(ports);
    }

    /** A task with one port. */
    public SimTask(String id, String instanceId, String appId, String host, int port, String state, Boolean alive,
            String version) {
        this(id, instanceId, appId, host, port, state, alive, version, List.of(port));
    }
}
