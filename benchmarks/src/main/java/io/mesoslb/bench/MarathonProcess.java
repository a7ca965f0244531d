package io.mesoslb.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.Replacement;
import io.mesoslb.testkit.SimulatorMain;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulator as a process of its own ({@link SimulatorMain}), started with this JVM's {@code java} and class path
 * and JVM options of its own, and driven over HTTP on one {@link KeepAliveConnection}: Marathon's API for the
 * measured app's task, {@code POST /_sim/tasks/<id>/replace} for a round.
 *
 * <p>The emit times it reports are its {@link System#nanoTime()}, comparable with this JVM's because on Linux every
 * JVM's {@code nanoTime} reads the host's {@code CLOCK_MONOTONIC}. {@link #start} checks that once: the simulator's
 * {@code GET /_sim/clock} must lie between this JVM's readings before and after the request, else nothing is
 * measured.
 */
final class MarathonProcess implements SimulatedMarathon {
    private static final Logger REPORT = LoggerFactory.getLogger("mesos-lb.bench.event-to-route");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
    private static final int CLOCK_HANDSHAKES = 20;

    private final Process process;
    private final URI uri;
    private final KeepAliveConnection control;
    private final String measuredApp;
    private final long setupNanos;

    private MarathonProcess(Process process, int port, String measuredApp, long setupNanos) {
        this.process = process;
        this.uri = URI.create("http://127.0.0.1:" + port);
        this.control = new KeepAliveConnection(port, REPLACE_TIMEOUT);
        this.measuredApp = measuredApp;
        this.setupNanos = setupNanos;
    }

    /**
     * Starts the simulator with that cluster (its command-line options), waits until it reported its port, and
     * checks that its clock is this JVM's.
     *
     * @param output where its stdout and stderr go (a benchmark: where its own go)
     */
    static MarathonProcess start(SimulatedCluster cluster, List<String> jvmOptions, ProcessBuilder.Redirect output)
            throws IOException {
        String measuredApp = cluster.measuredApp();
        Path dir = Files.createTempDirectory("mesos-lb-simulator");
        Path portFile = dir.resolve("port");
        List<String> cmd = new ArrayList<>(List.of(Processes.java()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SimulatorMain.class.getName(),
                "--port-file", portFile.toString(), "--kill-grace-ms", Long.toString(cluster.killGrace().toMillis()),
                "--app", measuredApp, "--apps", Integer.toString(cluster.apps()), "--tasks", Integer.toString(cluster.tasks()),
                "--shared", Integer.toString(cluster.shared()), "--warm-tasks", Boolean.toString(cluster.warmTasks())));
        cluster.measuredLabels().forEach((k, v) -> cmd.addAll(List.of("--app-label", k + "=" + v)));
        long launched = System.nanoTime();
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output).start();
        MarathonProcess marathon = null;
        try {
            Await.until(START_TIMEOUT, () -> Files.exists(portFile) || !process.isAlive(), "the simulator's port");
            if (!process.isAlive()) {
                throw new IllegalStateException("the simulator exited with " + process.exitValue() + ": " + cmd);
            }
            int port = Integer.parseInt(Files.readString(portFile, StandardCharsets.US_ASCII).strip());
            marathon = new MarathonProcess(process, port, measuredApp, System.nanoTime() - launched);
            marathon.checkClock();
            return marathon;
        } catch (IOException | RuntimeException | Error e) {
            if (marathon != null) {
                marathon.close();
            } else {
                process.destroyForcibly();
            }
            throw e;
        } finally {
            Files.deleteIfExists(portFile);
            Files.deleteIfExists(dir);
        }
    }

    /** The simulator's clock read between two readings of this one, a few times; the tightest pair is reported. */
    private void checkClock() throws IOException {
        long[] tightest = null;
        for (int i = 0; i < CLOCK_HANDSHAKES; i++) {
            long before = System.nanoTime();
            long theirs = call("GET", "/_sim/clock").path("nanoTime").asLong();
            long after = System.nanoTime();
            if (theirs < before || theirs > after) {
                throw new IllegalStateException(String.format("the simulator's System.nanoTime() %d is not between"
                        + " this JVM's %d and %d: the two processes do not read one clock, so its emit times say"
                        + " nothing here", theirs, before, after));
            }
            if (tightest == null || after - before < tightest[2] - tightest[0]) {
                tightest = new long[] {before, theirs, after};
            }
        }
        long width = tightest[2] - tightest[0];
        REPORT.info(String.format("clock: the simulator's System.nanoTime() lay between this JVM's before and after"
                + " each of %d requests; the closest: %d < %d < %d, %.3f ms apart", CLOCK_HANDSHAKES, tightest[0],
                tightest[1], tightest[2], width / 1e6));
        if (width > TimeUnit.MILLISECONDS.toNanos(1)) {
            REPORT.warn(String.format("clock: no handshake came back within 1 ms (the machine is busy): the two"
                    + " clocks are known to agree within %.3f ms only", width / 1e6));
        }
    }

    @Override
    public URI uri() {
        return uri;
    }

    @Override
    public String measuredTask() throws IOException {
        return call("GET", "/v2/apps" + measuredApp + "/tasks").path("tasks").get(0).path("id").asText();
    }

    @Override
    public Replacement replace(String taskId) throws IOException {
        JsonNode r = call("POST", "/_sim/tasks/" + taskId + "/replace");
        return new Replacement(r.path("killedTaskId").asText(), r.path("taskId").asText(),
                r.path("runningNanoTime").asLong(), r.path("handedOverNanoTime").asLong());
    }

    @Override
    public String setup() {
        return String.format("simulator process pid %d, launch to port reported %.1f s", pid(),
                setupNanos / 1e9);
    }

    long pid() {
        return process.pid();
    }

    /** CPU the simulator process has used, in ms, and its RSS in KiB (-1 without /proc). */
    long[] usage() {
        return new long[] {Processes.cpuMillis(process.pid()), Processes.rssKiB(process.pid())};
    }

    private JsonNode call(String method, String path) throws IOException {
        int status = control.exchange((method + " " + path + " HTTP/1.1\r\nHost: " + uri.getAuthority()
                + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        if (status != 200) {
            throw new IllegalStateException(method + " " + path + " on the simulator: HTTP " + status + " "
                    + control.body());
        }
        return JSON.readTree(control.body());
    }

    @Override
    public void close() throws IOException {
        try {
            control.close();
        } finally {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
