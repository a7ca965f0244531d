package io.mesoslb.discovery.marathon;

import java.util.List;
import java.util.Objects;

/**
 * What discovery needs of one Marathon task.
 *
 * @param id            the Mesos task id, opaque
 * @param appId         the app it belongs to
 * @param host          the agent host name or IP; may be empty
 * @param ports         host ports in definition order, possibly empty
 * @param ipAddresses   the container's IPs in Marathon's order, possibly empty
 * @param state         Marathon's task state such as {@code TASK_RUNNING}
 * @param healthResults the health check results, or null when Marathon reported none (health unknown)
 */
public record MarathonTask(String id, String appId, String host, List<Integer> ports, List<String> ipAddresses,
                           String state, List<HealthResult> healthResults) {
    public static final String RUNNING = "TASK_RUNNING";

    public MarathonTask {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(appId, "appId");
        host = host == null ? "" : host;
        ports = ports == null ? List.of() : List.copyOf(ports);
        ipAddresses = ipAddresses == null ? List.of() : List.copyOf(ipAddresses);
        state = state == null ? RUNNING : state;
        healthResults = healthResults == null ? null : List.copyOf(healthResults);
    }

    public MarathonTask withState(String newState) {
        return new MarathonTask(id, appId, host, ports, ipAddresses, newState, healthResults);
    }

    public MarathonTask withHealthResults(List<HealthResult> results) {
        return new MarathonTask(id, appId, host, ports, ipAddresses, state, results);
    }
}
