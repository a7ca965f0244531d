package io.mesoslb.testkit;

import java.util.List;

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
    /** The backend is one of the simulator's shared ones: not stopped with the task. */
    boolean sharedBackend;
    /** The task's host port for each of its app's ports, in order (the first is {@link #backend}'s unless it is TCP). */
    final List<Integer> hostPorts;
    /** The servers of its ports other than {@link #backend}, stopped with it. */
    final List<AutoCloseable> otherServers;
    final String stagedAt;
    String state = STAGING;
    String startedAt;
    /** Marathon's latest health result; {@code null} until a check has run (and again after a leader change). */
    HealthResult health;
    /** What a health check would find right now; {@code null} when nothing decided it yet. */
    Boolean healthTruth;

    TaskState(String id, String instanceId, String appId, String slaveId, String version, LoopbackBackend backend,
            String stagedAt) {
        this(id, instanceId, appId, slaveId, version, backend, List.of(backend.port()), List.of(), stagedAt);
    }

    TaskState(String id, String instanceId, String appId, String slaveId, String version, LoopbackBackend backend,
            List<Integer> hostPorts, List<AutoCloseable> otherServers, String stagedAt) {
        this.hostPorts = List.copyOf(hostPorts);
        this.otherServers = List.copyOf(otherServers);
        this.id = id;
        this.instanceId = instanceId;
        this.appId = appId;
        this.slaveId = slaveId;
        this.version = version;
        this.backend = backend;
        this.stagedAt = stagedAt;
    }

    /** Stops every server of the task, like its process dying. */
    void stop() {
        if (!sharedBackend) {
            backend.stop();
        }
        for (AutoCloseable s : otherServers) {
            try {
                s.close();
            } catch (Exception e) {
                throw new IllegalStateException("stopping " + s, e);
            }
        }
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
        return new SimTask(id, instanceId, appId, backend.host(), backend.port(), state, alive(), version, hostPorts);
    }
}
