package io.mesoslb.bench;

import io.mesoslb.testkit.MarathonSimulator;
import io.mesoslb.testkit.Replacement;
import io.mesoslb.testkit.SimulatorOptions;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/** The simulator in the benchmark's JVM: its tasks share the heap, the collector and the cores with the balancer. */
record InProcessMarathon(MarathonSimulator marathon, String measuredApp, long setupNanos)
        implements SimulatedMarathon {
    static InProcessMarathon start(SimulatedCluster cluster) {
        MarathonSimulator marathon = MarathonSimulator.start(SimulatorOptions.builder().killGrace(cluster.killGrace())
                .warmTasks(cluster.warmTasks()).build());
        marathon.createApp(cluster.measuredApp(), 1, cluster.measuredLabels(), false);
        long setup = System.nanoTime();
        if (cluster.apps() > 0) {
            marathon.setEventsSuppressed(true);
            marathon.createApps("/big", cluster.apps(), cluster.tasks(), cluster.shared());
            marathon.setEventsSuppressed(false);
        }
        return new InProcessMarathon(marathon, cluster.measuredApp(), System.nanoTime() - setup);
    }

    @Override
    public URI uri() {
        return marathon.uri();
    }

    @Override
    public String measuredTask() {
        return marathon.tasks(measuredApp).get(0).id();
    }

    @Override
    public Replacement replace(String taskId) throws Exception {
        return marathon.replaceTask(taskId).get(REPLACE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public String setup() {
        return String.format("simulator setup %.1f s, in this JVM", setupNanos / 1e9);
    }

    @Override
    public void close() {
        marathon.close();
    }
}
