package io.mesoslb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.Replacement;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarathonProcessTest {
    /** What EventToRouteLatency needs of the simulator in another JVM: its task, a replacement and when it ran. */
    @Test
    void replacesTheMeasuredTaskWithAnEmitTimeOnThisJvmsClockAndEndsWithClose(@TempDir Path dir) throws Exception {
        MarathonProcess marathon = MarathonProcess.start(new SimulatedCluster("/measured",
                Map.of("MESOS_LB_VHOST", "m.example"), 2, 3, 1, true, Duration.ZERO), List.of("-Xmx256m"),
                ProcessBuilder.Redirect.to(dir.resolve("simulator.log").toFile()));
        ProcessHandle simulator;
        try {
            simulator = ProcessHandle.of(marathon.pid()).orElseThrow();
            String first = marathon.measuredTask();
            assertThat(first).startsWith("measured.");
            String app = HttpClient.newHttpClient().send(HttpRequest.newBuilder(marathon.uri().resolve("/v2/apps/measured"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(app).contains("\"MESOS_LB_VHOST\":\"m.example\"");

            long before = System.nanoTime();
            Replacement r = marathon.replace(first);
            long after = System.nanoTime();

            assertThat(r.killedTaskId()).isEqualTo(first);
            assertThat(r.taskId()).startsWith("measured.").isNotEqualTo(first);
            assertThat(r.runningNanoTime()).isBetween(before, after);
            assertThat(marathon.measuredTask()).isEqualTo(r.taskId());
        } finally {
            marathon.close();
        }
        Await.until(Duration.ofSeconds(30), () -> !simulator.isAlive(), "the simulator process ended");
    }
}
