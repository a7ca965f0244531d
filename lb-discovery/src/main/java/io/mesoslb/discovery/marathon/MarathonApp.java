package io.mesoslb.discovery.marathon;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What discovery needs of one Marathon app, normalised from every Marathon 1.x shape.
 *
 * @param id              the absolute app id, e.g. {@code /team/api}
 * @param labels          the app's labels
 * @param networkMode     how its tasks are reached
 * @param portIndex       which of the app's ports the proxy routes to ({@value #PORT_INDEX_LABEL}, default 0)
 * @param definedPorts    {@code portDefinitions[].port} (1.4: {@code ports[]}): service ports, which are also
 *                        the host ports when {@code requirePorts} is set
 * @param requirePorts    whether the host ports equal the defined ports
 * @param containerPorts  {@code portMappings[].containerPort} (1.4: {@code ipAddress.discovery.ports[].number} or
 *                        {@code container.docker.portMappings[].containerPort}), 0 where unknown
 * @param healthChecks    how many health checks gate the app's tasks
 * @param tasks           its tasks as Marathon reported them
 * @param instances       how many instances Marathon is asked to run (what a blue-green switch counts
 *                        the old colour by)
 */
public record MarathonApp(String id, Map<String, String> labels, NetworkMode networkMode, int portIndex,
                          List<Integer> definedPorts, boolean requirePorts, List<Integer> containerPorts,
                          int healthChecks, List<MarathonTask> tasks, int instances) {
    /** Picks the port (by index, as in {@code HAPROXY_{n}_*}) the proxy sends traffic to. */
    public static final String PORT_INDEX_LABEL = "MESOS_LB_PORT_INDEX";

    public MarathonApp {
        Objects.requireNonNull(id, "id");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        networkMode = networkMode == null ? NetworkMode.HOST : networkMode;
        definedPorts = definedPorts == null ? List.of() : List.copyOf(definedPorts);
        containerPorts = containerPorts == null ? List.of() : List.copyOf(containerPorts);
        tasks = tasks == null ? List.of() : List.copyOf(tasks);
    }

    /** An app whose instance count is taken to be its task count. */
    public MarathonApp(String id, Map<String, String> labels, NetworkMode networkMode, int portIndex,
                       List<Integer> definedPorts, boolean requirePorts, List<Integer> containerPorts,
                       int healthChecks, List<MarathonTask> tasks) {
        this(id, labels, networkMode, portIndex, definedPorts, requirePorts, containerPorts, healthChecks, tasks,
                tasks == null ? 0 : tasks.size());
    }

    public MarathonApp withTasks(List<MarathonTask> newTasks) {
        return new MarathonApp(id, labels, networkMode, portIndex, definedPorts, requirePorts, containerPorts,
                healthChecks, newTasks, instances);
    }

    public boolean hasHealthChecks() {
        return healthChecks > 0;
    }
}
