package io.mesoslb.testkit;

/**
 * A snapshot of one simulated Marathon task.
 *
 * @param state Marathon's task state string, e.g. {@code TASK_RUNNING} or {@code TASK_KILLING}
 * @param alive the latest health check result, {@code null} when Marathon has none (no health checks, still in
 *              the grace period, or forgotten after a leader change)
 */
public record SimTask(String id, String instanceId, String appId, String host, int port, String state, Boolean alive,
        String version) {
}
