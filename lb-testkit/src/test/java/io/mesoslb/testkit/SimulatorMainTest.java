package io.mesoslb.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator as a process of its own, driven over HTTP only, as a benchmark in another JVM drives it. */
class SimulatorMainTest {
    @TempDir
    Path dir;
    private Process process;

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void reportsItsPortServesTheClusterAndAnswersAReplacementWithItsRunningEventsEmitTime() throws Exception {
        Path portFile = dir.resolve("port");
        Path log = dir.resolve("simulator.log");
        process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                SimulatorMain.class.getName(), "--port-file", portFile.toString(), "--kill-grace-ms", "0",
                "--app", "/measured", "--apps", "3", "--tasks", "2", "--shared", "1")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Await.until(Duration.ofMinutes(2), () -> Files.exists(portFile) || !process.isAlive(),
                () -> "the simulator's port file; its output: " + read(log));
        assertThat(process.isAlive()).as("the simulator is up; its output: %s", read(log)).isTrue();
        URI uri = URI.create("http://127.0.0.1:" + Files.readString(portFile).strip());

        JsonNode apps = Http.json(Http.get(uri, "/v2/apps?embed=apps.tasks")).path("apps");
        List<String> ids = new ArrayList<>();
        apps.forEach(a -> ids.add(a.path("id").asText()));
        assertThat(ids).containsExactlyInAnyOrder("/measured", "/big-0", "/big-1", "/big-2");
        apps.forEach(a -> assertThat(a.path("tasks")).hasSize(a.path("id").asText().equals("/measured") ? 1 : 2));
        String old = Http.json(Http.get(uri, "/v2/apps/measured/tasks")).path("tasks").get(0).path("id").asText();

        try (RawStream stream = RawStream.events(uri, "/v2/events")) {
            stream.nextEvent("event_stream_attached");
            long before = System.nanoTime();
            HttpResponse<String> replaced = Http.send(uri, "POST", "/_sim/tasks/" + old + "/replace", "");
            long after = System.nanoTime();

            assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
            JsonNode r = Http.json(replaced);
            String next = r.path("taskId").asText();
            assertThat(r.path("killedTaskId").asText()).isEqualTo(old);
            assertThat(next).startsWith("measured.").isNotEqualTo(old);
            // The simulator's nanoTime is this JVM's clock (CLOCK_MONOTONIC), so its emit time lies in this call.
            assertThat(r.path("runningNanoTime").asLong()).isBetween(before, after);
            // A stream is open: the frame's write on the stream's loop follows the control thread's hand-over.
            assertThat(r.path("handedOverNanoTime").asLong()).isGreaterThanOrEqualTo(before)
                    .isLessThan(r.path("runningNanoTime").asLong());
            List<String> replacementStates = new ArrayList<>();
            while (!replacementStates.contains("TASK_RUNNING")) { // the stream's read timeout fails a missing one
                JsonNode update = EventStreamTest.json(stream.nextEvent("status_update_event").data());
                if (update.path("taskId").asText().equals(next)) {
                    replacementStates.add(update.path("taskStatus").asText());
                }
            }
            assertThat(replacementStates).containsExactly("TASK_STAGING", "TASK_RUNNING");
            long clock = Http.json(Http.get(uri, "/_sim/clock")).path("nanoTime").asLong();
            assertThat(clock).isBetween(after, System.nanoTime());
        }
        JsonNode task = Http.json(Http.get(uri, "/v2/apps/measured/tasks")).path("tasks").get(0);
        assertThat(Http.backend(task.path("host").asText(), task.path("ports").get(0).asInt()).body())
                .as("the replacement's own server").isEqualTo(task.path("id").asText());
        assertThat(Http.send(uri, "POST", "/_sim/tasks/" + old + "/replace", "").statusCode())
                .as("the killed task is gone").isEqualTo(404);
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
