package io.mesoslb.bench;

import io.mesoslb.testkit.ChildOutput;
import io.mesoslb.testkit.MarathonSimulator;
import io.mesoslb.testkit.SimulatorOptions;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long a balancer takes from {@code java -jar} to routing a big cluster, with nothing else in its JVM:
 * the simulator renders {@code /v2/apps?embed=apps.tasks} for {@code -Dapps=N} apps of {@code -Dtasks=10}
 * tasks once into a file (Marathon's format, which {@code --routes-file} reads with the same streaming
 * parser and publication as a Marathon snapshot), and then each jar given is started as a child process
 * with the packaged launcher's JVM flags on that file, rounds interleaved, polled every 5 ms (on the port it
 * logs it bound, as it binds port 0) with a request for the last app in id order (routed only once the whole snapshot is published). Reported per
 * run: launch to first routed request (JVM start included, as an operator sees it), the child's CPU time
 * (user + system, from {@code /proc}) and its RSS when it first routed.
 *
 * <p>A real Marathon renders the snapshot on its own machine; in {@link EventToRouteLatency} the simulator
 * shares the balancer's JVM and cores, which is why that start is slower and not the balancer's alone.
 *
 * <p>Run: {@code java -Dapps=10000 -cp benchmarks/target/benchmarks.jar io.mesoslb.bench.StartFromSnapshot
 * [rounds] name=path/to/mesos-lb.jar ...}. {@code -Djvm.<name>="-Xlog:class+load:file=x.log ..."} adds JVM
 * options (space-separated) for the build called {@code name}, after the launcher's (so
 * {@code -XX:-UseTransparentHugePages} there starts a build as the launcher did before it asked for them). The
 * launcher's flags are asked of {@code packaging/src/deb/bin/mesos-lb} ({@code -Dlauncher=} elsewhere).
 */
public final class StartFromSnapshot {
    private static final Logger REPORT = LoggerFactory.getLogger("mesos-lb.bench.start");
    private static final Duration POLL = Duration.ofMillis(5);
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final String DOMAIN = "bench.local";

    private StartFromSnapshot() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        List<Build> builds = builds(Arrays.asList(args).subList(1, args.length), StartFromSnapshot::knowsServicePorts);
        int apps = Integer.getInteger("apps", 10_000);
        int tasks = Integer.getInteger("tasks", 10);
        // -Dsnapshot=<path> keeps the rendered file there (and renders it again each run) for profiling a start by hand.
        String keep = System.getProperty("snapshot");
        Path file = keep != null ? Path.of(keep) : Files.createTempFile("mesos-lb-snapshot", ".json");
        // The simulator stays up, idle, for its shared backends: the first routed request gets a 200.
        try (MarathonSimulator marathon = MarathonSimulator.start(SimulatorOptions.builder().build())) {
            render(marathon, file, apps, tasks);
            String lastHost = "big-" + String.format(Locale.ROOT, "%d", apps - 1) + "." + DOMAIN;
            REPORT.info(String.format("snapshot: %d apps x %d tasks, %.1f MB; polling %s every %d ms", apps, tasks,
                    Files.size(file) / 1e6, lastHost, POLL.toMillis()));
            List<String> launcherFlags = launcherFlags(Path.of(System.getProperty("launcherFlags",
                    "benchmarks/launcher-flags.sh")));
            REPORT.info("launcher's JVM flags: " + String.join(" ", launcherFlags));
            REPORT.info(String.format("%-16s %5s %12s %10s %10s", "build", "round", "to routed ms", "CPU ms",
                    "RSS MiB"));
            for (int round = 1; round <= rounds; round++) {
                for (Build build : builds) {
                    long[] r = startOnce(build, file, lastHost, launcherFlags);
                    REPORT.info(String.format("%-16s %5d %12d %10d %10.0f", build.name(), round, r[0], r[1], r[2] / 1024.0));
                }
            }
        } finally {
            if (keep == null) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** The simulator's own rendering of the cluster, written once. */
    private static void render(MarathonSimulator marathon, Path file, int apps, int tasks) throws Exception {
        marathon.setEventsSuppressed(true);
        marathon.createApps("/big", apps, tasks, 8);
        HttpResponse<Path> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(marathon.uri() + "/v2/apps?embed=apps.tasks")).build(), HttpResponse.BodyHandlers.ofFile(file));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("snapshot: HTTP " + r.statusCode());
        }
    }

    /** Asks a jar whether it has service ports (issue 14), each time by starting a JVM of its own. */
    @FunctionalInterface
    interface ServicePortsProbe {
        boolean knowsServicePorts(Path jar) throws IOException, InterruptedException;
    }

    /**
     * A jar under test, by the name the report gives it, with the JVM options given for it
     * ({@code -Djvm.<name>=...}) and the flags its version takes.
     */
    record Build(String name, Path jar, List<String> jvmOptions, List<String> flags) {
    }

    /**
     * The builds of {@code name=path/to/mesos-lb.jar} arguments, each jar asked here, once, what it
     * takes: the answer does not change between rounds.
     */
    static List<Build> builds(List<String> specs, ServicePortsProbe probe) throws IOException, InterruptedException {
        List<Build> builds = new ArrayList<>();
        for (String spec : specs) {
            String[] nameAndJar = spec.split("=", 2);
            Path jar = Path.of(nameAndJar[1]);
            // Builds before service ports (issue 14) have none; compare like with like.
            List<String> flags = probe.knowsServicePorts(jar) ? List.of("--service-ports", "false") : List.of();
            String opts = System.getProperty("jvm." + nameAndJar[0], "").trim();
            builds.add(new Build(nameAndJar[0], jar, opts.isEmpty() ? List.of() : List.of(opts.split("\\s+")), flags));
        }
        return builds;
    }

    /**
     * The command line that starts {@code build} on the snapshot {@code file}, listening on a port of its choosing
     * (port 0), which it logs: a port probed free here could be taken by another process before the child binds it.
     */
    static List<String> command(Build build, Path file, List<String> launcherFlags) {
        List<String> cmd = new ArrayList<>(List.of(Processes.java()));
        cmd.addAll(launcherFlags);
        cmd.addAll(build.jvmOptions());
        cmd.addAll(List.of("-jar", build.jar().toString(), "--routes-file", file.toString(),
                "--listen-host", "127.0.0.1", "--listen-port", "0", "--domain", DOMAIN,
                "--admin-port", "-1", "--access-log", "false"));
        cmd.addAll(build.flags());
        return cmd;
    }

    /**
     * The packaged launcher's JVM flags on this machine, as {@code benchmarks/launcher-flags.sh} (the load harness's
     * source of them too) prints them.
     */
    static List<String> launcherFlags(Path script) throws IOException, InterruptedException {
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("no " + script.toAbsolutePath()
                    + ": run from the repository's root or give -DlauncherFlags=<benchmarks/launcher-flags.sh>");
        }
        Process p = new ProcessBuilder("sh", script.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0 || out.isEmpty()) {
            throw new IllegalStateException(script + " failed: " + out);
        }
        return List.of(out.split("\\s+"));
    }

    /** @return launch to first routed request in ms, CPU ms of the child, its RSS in KiB then */
    private static long[] startOnce(Build build, Path file, String host, List<String> launcherFlags) throws Exception {
        Path jar = build.jar();
        List<String> cmd = command(build, file, launcherFlags);
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ChildOutput out = ChildOutput.follow(p);
        try {
            byte[] get = ("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            while (System.nanoTime() - start < TIMEOUT.toNanos()) {
                if (!p.isAlive()) {
                    throw new IllegalStateException(jar + " exited with " + p.exitValue() + ":\n" + out.text());
                }
                int port = out.proxyPort();
                if (port != 0 && routes(port, get)) {
                    long routed = System.nanoTime() - start;
                    return new long[] {routed / 1_000_000, Processes.cpuMillis(p.pid()),
                        Processes.rssKiB(p.pid())};
                }
                Thread.sleep(POLL.toMillis());
            }
            throw new IllegalStateException(jar + " did not route " + host + " within " + TIMEOUT);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /** Whether the request {@code get} to the child on {@code port} is answered 200 already. */
    private static boolean routes(int port, byte[] get) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(get);
            return new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII).endsWith(" 200");
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    private static boolean knowsServicePorts(Path jar) throws IOException, InterruptedException {
        Process help = new ProcessBuilder(Processes.java(), "-jar", jar.toString(), "--help").redirectErrorStream(true).start();
        String text = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        help.waitFor();
        return text.contains("--service-ports");
    }
}
