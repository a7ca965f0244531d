package io.mesoslb.testkit;

/** One simulated Marathon task; mutable, touched only on the cluster's control thread. */
final class TaskState {
    static final String STAGING = "TASK_STAGING";
    static final String RUNNING = "TASK_RUNNING";
    static final String KILLING = "TASK_KILLING";
    static final String KILLED = "TASK_KILLED";
    static final String FAILED = "TASK_FAILED";

    final String id;
    final String instanceId;
    final String appId;
    final String slaveId;
    final String version;
    final LoopbackBackend backend;
    final String stagedAt;
    String state = STAGING;
    String startedAt;
    /** Marathon's latest health result; {@code null} until a check has run (and again after a leader change). */
    HealthResult health;
    /** What a health check would find right now; {@code null} when nothing decided it yet. */
    Boolean healthTruth;

    TaskState(String id, String instanceId, String appId, String slaveId, String version, LoopbackBackend backend,
            String stagedAt) {
        this.id = id;
        this.instanceId = instanceId;
        this.appId = appId;
        this.slaveId = slaveId;
        this.version = version;
        this.backend = backend;
        this.stagedAt = stagedAt;
    }

    boolean isKilling() {
        return KILLING.equals(state);
    }

    boolean isRunning() {
        return RUNNING.equals(state);
    }

    Boolean alive() {
        return health == null ? null : health.alive;
    }

    SimTask snapshot() {
        return new SimTask(id, instanceId, appId, backend.host(), backend.port(), state, alive(), version);
    }
}
