package io.mesoslb.bench;

import io.mesoslb.testkit.MarathonSimulator;
import io.mesoslb.testkit.Replacement;
import io.mesoslb.testkit.SimulatorOptions;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The simulator in the benchmark's JVM: its tasks share the heap, the collector and the cores with the balancer. */
record InProcessMarathon(MarathonSimulator marathon, String measuredApp, long setupNanos)
        implements SimulatedMarathon {
    /**
     * The measured app with {@code measuredLabels}, then {@code apps} apps {@code /big-<i>} of {@code tasks} tasks on
     * {@code shared} backends.
     *
     * @param warmTasks {@link SimulatorOptions#warmTasks()}
     * @param killGrace {@link SimulatorOptions#killGrace()}
     */
    static InProcessMarathon start(String measuredApp, Map<String, String> measuredLabels, int apps, int tasks,
                                   int shared, boolean warmTasks, Duration killGrace) {
        MarathonSimulator marathon = MarathonSimulator.start(SimulatorOptions.builder().killGrace(killGrace)
                .warmTasks(warmTasks).build());
        marathon.createApp(measuredApp, 1, measuredLabels, false);
        long setup = System.nanoTime();
        if (apps > 0) {
            marathon.setEventsSuppressed(true);
            marathon.createApps("/big", apps, tasks, shared);
            marathon.setEventsSuppressed(false);
        }
        return new InProcessMarathon(marathon, measuredApp, System.nanoTime() - setup);
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
