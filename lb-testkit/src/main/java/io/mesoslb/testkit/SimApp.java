package io.mesoslb.testkit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A handle on one simulated app; the fixed facts are fields, everything else is read live from the simulator. */
public final class SimApp {
    private final MarathonSimulator simulator;
    private final String id;
    private final int servicePort;
    private final boolean healthChecks;
    private final List<SimPort> ports;
    private final boolean bridge;

    SimApp(MarathonSimulator simulator, String id, int servicePort, boolean healthChecks) {
        this(simulator, id, List.of(SimPort.http(servicePort)), false, healthChecks);
    }

    SimApp(MarathonSimulator simulator, String id, List<SimPort> ports, boolean bridge, boolean healthChecks) {
        this.simulator = simulator;
        this.id = id;
        this.ports = List.copyOf(ports);
        this.servicePort = this.ports.get(0).servicePort();
        this.bridge = bridge;
        this.healthChecks = healthChecks;
    }

    /** Absolute app id, e.g. {@code /team/api}. */
    public String id() {
        return id;
    }

    /** The service port of its first port ({@code portDefinitions[0].port}, or the first port mapping's). */
    public int servicePort() {
        return servicePort;
    }

    /** Its ports, each with its protocol and service port, by index. */
    public List<SimPort> ports() {
        return ports;
    }

    /** The service port of the port at {@code index}. */
    public int servicePort(int index) {
        return ports.get(index).servicePort();
    }

    /** Whether it is in bridge networking ({@code container.portMappings}) rather than host ({@code portDefinitions}). */
    public boolean bridge() {
        return bridge;
    }

    public boolean healthChecks() {
        return healthChecks;
    }

    public int instances() {
        return simulator.cluster().call(() -> simulator.cluster().marathon().app(id).instances);
    }

    public Map<String, String> labels() {
        return simulator.cluster().call(
                () -> Collections.unmodifiableMap(new LinkedHashMap<>(simulator.cluster().marathon().app(id).labels)));
    }

    public String version() {
        return simulator.cluster().call(() -> simulator.cluster().marathon().app(id).version);
    }

    public List<SimTask> tasks() {
        return simulator.tasks(id);
    }

    public void scale(int instances) {
        simulator.scale(id, instances);
    }

    @Override
    public String toString() {
        return "SimApp[" + id + "]";
    }
}
