package io.mesoslb.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One simulated Marathon app; mutable, touched only on the cluster's control thread. */
final class AppState {
    final String id;
    final boolean healthChecks;
    final int servicePort;
    /** Its ports, each with the service port Marathon gave it; the first is {@link #servicePort}. */
    final List<SimPort> ports;
    /** Bridge networking ({@code container.portMappings}) rather than host ({@code portDefinitions}). */
    final boolean bridge;
    /** Its tasks answer from the simulator's shared backends (big clusters), not servers of their own. */
    boolean sharedBackends;
    int instances;
    Map<String, String> labels;
    String version;
    String lastScalingAt;
    String lastConfigChangeAt;
    /** Tasks in launch order (Marathon's YOUNGEST_FIRST kill selection takes them from the end). */
    final Map<String, TaskState> tasks = new LinkedHashMap<>();
    /** The deployment in progress, or {@code null}. */
    Deployment deployment;
    ObjectNode lastTaskFailure;
    /**
     * Fields of a {@code POST /v2/apps} body the simulator does not model ({@code constraints}, {@code args},
     * {@code container}, {@code requirePorts}, the health checks' own settings...), shown back as posted; or {@code null}.
     */
    ObjectNode posted;

    AppState(String id, int instances, Map<String, String> labels, boolean healthChecks, int servicePort,
            String version) {
        this(id, instances, labels, healthChecks, List.of(SimPort.http(servicePort)), false, version);
    }

    /** @param ports each with its service port assigned (none 0) */
    AppState(String id, int instances, Map<String, String> labels, boolean healthChecks, List<SimPort> ports,
            boolean bridge, String version) {
        this.id = id;
        this.ports = List.copyOf(ports);
        this.bridge = bridge;
        int servicePort = this.ports.get(0).servicePort();
        this.instances = instances;
        this.labels = new LinkedHashMap<>(labels);
        this.healthChecks = healthChecks;
        this.servicePort = servicePort;
        this.version = version;
        this.lastScalingAt = version;
        this.lastConfigChangeAt = version;
    }

    /** Tasks counted against {@link #instances}: those not on their way out. */
    long activeTasks() {
        return tasks.values().stream().filter(t -> !t.isKilling()).count();
    }

    /** Whether a task counts as ready for a deployment: running, and healthy if the app has checks. */
    boolean ready(TaskState t) {
        return t.isRunning() && (!healthChecks || Boolean.TRUE.equals(t.alive()));
    }
}
