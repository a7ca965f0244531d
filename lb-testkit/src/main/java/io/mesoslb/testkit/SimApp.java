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

    SimApp(MarathonSimulator simulator, String id, int servicePort, boolean healthChecks) {
        this.simulator = simulator;
        this.id = id;
        this.servicePort = servicePort;
        this.healthChecks = healthChecks;
    }

    /** Absolute app id, e.g. {@code /team/api}. */
    public String id() {
        return id;
    }

    /** The service port in {@code portDefinitions[0].port}. */
    public int servicePort() {
        return servicePort;
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
