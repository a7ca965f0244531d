package io.mesoslb.bench;

import java.time.Duration;
import java.util.Map;

/**
 * The cluster a {@link SimulatedMarathon} starts with, wherever it runs: the measured app (one task) with its labels,
 * then {@code apps} apps {@code /big-<i>} of {@code tasks} tasks on {@code shared} loopback backends.
 *
 * @param warmTasks {@link io.mesoslb.testkit.SimulatorOptions#warmTasks()}: every task's server answers like a warm
 *                  one from its first connection
 * @param killGrace {@link io.mesoslb.testkit.SimulatorOptions#killGrace()}: from a task's TASK_KILLING to its
 *                  TASK_KILLED and replacement
 */
record SimulatedCluster(String measuredApp, Map<String, String> measuredLabels, int apps, int tasks, int shared,
                        boolean warmTasks, Duration killGrace) {
    SimulatedCluster {
        measuredLabels = Map.copyOf(measuredLabels);
    }
}
