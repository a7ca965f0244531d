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
 * @param servicePorts    each port's service port by index, 0 where it has none (see {@link MarathonJson})
 * @param checks          the app's health checks, in their order, as far as a port's mode depends on them
 */
public record MarathonApp(String id, Map<String, String> labels, NetworkMode networkMode, int portIndex,
                          List<Integer> definedPorts, boolean requirePorts, List<Integer> containerPorts,
                          int healthChecks, List<MarathonTask> tasks, int instances, List<Integer> servicePorts,
                          List<HealthCheck> checks) {
    /**
     * One of the app's health checks: what it speaks and which port it watches.
     *
     * @param protocol  {@code HTTP}, {@code HTTPS}, {@code TCP}, {@code MESOS_HTTP}, {@code COMMAND}, ...
     * @param portIndex the index of the port it watches; -1 for none
     * @param port      the port number it names instead of an index; 0 for none
     */
    public record HealthCheck(String protocol, int portIndex, int port) {
        public HealthCheck {
            protocol = protocol == null ? "" : protocol;
        }
    }

    /** Picks the port (by index, as in {@code HAPROXY_{n}_*}) the proxy sends traffic to. */
    public static final String PORT_INDEX_LABEL = "MESOS_LB_PORT_INDEX";

    public MarathonApp {
        Objects.requireNonNull(id, "id");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        networkMode = networkMode == null ? NetworkMode.HOST : networkMode;
        definedPorts = definedPorts == null ? List.of() : List.copyOf(definedPorts);
        containerPorts = containerPorts == null ? List.of() : List.copyOf(containerPorts);
        tasks = tasks == null ? List.of() : List.copyOf(tasks);
        servicePorts = servicePorts == null ? List.of() : List.copyOf(servicePorts);
        checks = checks == null ? List.of() : List.copyOf(checks);
    }

    /** Without service ports or what its health checks watch. */
    public MarathonApp(String id, Map<String, String> labels, NetworkMode networkMode, int portIndex,
                       List<Integer> definedPorts, boolean requirePorts, List<Integer> containerPorts,
                       int healthChecks, List<MarathonTask> tasks, int instances) {
        this(id, labels, networkMode, portIndex, definedPorts, requirePorts, containerPorts, healthChecks, tasks,
                instances, List.of(), List.of());
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
                healthChecks, newTasks, instances, servicePorts, checks);
    }

    /** The service port of the port at {@code index}; 0 when it has none. */
    public int servicePort(int index) {
        return index >= 0 && index < servicePorts.size() ? servicePorts.get(index) : 0;
    }

    /**
     * The protocol of the health check marathon-lb associates with the port at {@code index}
     * ({@code marathon_lb.py} {@code get_health_check}): the first check, in order, that names a port
     * number (whichever port that is) or this index; null when none does.
     */
    public String healthCheckProtocol(int index) {
        for (HealthCheck c : checks) {
            if (c.port() > 0 || c.portIndex() == index) {
                return c.protocol();
            }
        }
        return null;
    }

    /** How many ports the app has, as far as any of its port lists says. */
    public int portCount() {
        return Math.max(Math.max(definedPorts.size(), containerPorts.size()), servicePorts.size());
    }

    public boolean hasHealthChecks() {
        return healthChecks > 0;
    }
}
