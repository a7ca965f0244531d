package io.mesoslb.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated Marathon as a process of its own, so that what is measured against it does not share a heap, a
 * collector and JIT threads with it (on Marathon's own machine they would not either):
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.mesoslb.testkit.SimulatorMain --port-file /tmp/sim.port \
 *     --kill-grace-ms 0 --app /latency --apps 9999 --tasks 10 --shared 8
 * </pre>
 *
 * <p>{@code --app ID} (repeatable) makes an app of one task with a server of its own, answering its task id, with the
 * labels of {@code --app-label KEY=VALUE} (repeatable; every {@code --app} gets them all);
 * {@code --apps N} makes N apps {@code <prefix>-<i>} ({@code --prefix}, default {@code /big}) of {@code --tasks}
 * tasks sharing {@code --shared} loopback backends ({@link MarathonSimulator#createApps}); {@code --warm-tasks true}
 * makes every task's server answer like a warm one from its first connection ({@link SimulatorOptions#warmTasks()}).
 * All are made before the port is reported, with events suppressed, since nobody can be subscribed yet. The port
 * ({@code --port}, default 0: a free one) is logged and, with {@code --port-file}, written to that file (whole, by a
 * rename) once the cluster is made. Besides Marathon's API the simulator answers its own control paths:
 * {@code GET /_sim/clock} (its {@link System#nanoTime()}) and {@code POST /_sim/tasks/<task id>/replace} (see
 * {@link MarathonSimulator#replaceTask}). It runs until its parent process ends, or until it is signalled.
 */
public final class SimulatorMain {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatorMain.class);

    private SimulatorMain() {
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.parse(args);
        MarathonSimulator marathon = MarathonSimulator.start(SimulatorOptions.builder().port(settings.port)
                .killGrace(settings.killGrace).warmTasks(settings.warmTasks).build());
        try {
            long setup = System.nanoTime();
            marathon.setEventsSuppressed(true);
            for (String app : settings.apps) {
                marathon.createApp(app, 1, settings.appLabels, false);
            }
            if (settings.sharedApps > 0) {
                marathon.createApps(settings.prefix, settings.sharedApps, settings.tasks, settings.shared);
            }
            marathon.setEventsSuppressed(false);
            LOG.info("Marathon simulator listening on {}: {} apps of one task, {} apps x {} tasks on {} shared"
                    + " backends, made in {} ms", marathon.uri(), settings.apps.size(), settings.sharedApps,
                    settings.tasks, settings.shared, (System.nanoTime() - setup) / 1_000_000);
            if (settings.portFile != null) {
                writePort(settings.portFile, marathon.port());
            }
            awaitParentExit();
        } finally {
            marathon.close();
        }
    }

    /** Whole or not at all: a reader polling for the file never sees half a number. */
    private static void writePort(Path file, int port) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.writeString(partial, Integer.toString(port), StandardCharsets.US_ASCII);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A benchmark that dies without closing its simulator leaves no process behind. */
    private static void awaitParentExit() throws InterruptedException {
        var parent = ProcessHandle.current().parent();
        if (parent.isPresent()) {
            parent.get().onExit().join();
        } else {
            new CountDownLatch(1).await();
        }
    }

    private static final class Settings {
        int port;
        Path portFile;
        Duration killGrace = SimulatorOptions.defaults().killGrace();
        final List<String> apps = new ArrayList<>();
        final Map<String, String> appLabels = new LinkedHashMap<>();
        int sharedApps;
        int tasks = 10;
        int shared = 8;
        String prefix = "/big";
        boolean warmTasks;

        static Settings parse(String[] args) {
            Settings s = new Settings();
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                String value = args[i + 1];
                switch (args[i]) {
                    case "--port" -> s.port = Integer.parseInt(value);
                    case "--port-file" -> s.portFile = Path.of(value);
                    case "--kill-grace-ms" -> s.killGrace = Duration.ofMillis(Long.parseLong(value));
                    case "--app" -> s.apps.add(value);
                    case "--app-label" -> {
                        int eq = value.indexOf('=');
                        if (eq < 1) {
                            throw new IllegalArgumentException("--app-label " + value + ": KEY=VALUE");
                        }
                        s.appLabels.put(value.substring(0, eq), value.substring(eq + 1));
                    }
                    case "--apps" -> s.sharedApps = Integer.parseInt(value);
                    case "--tasks" -> s.tasks = Integer.parseInt(value);
                    case "--shared" -> s.shared = Integer.parseInt(value);
                    case "--prefix" -> s.prefix = value;
                    case "--warm-tasks" -> s.warmTasks = Boolean.parseBoolean(value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + "; known: --port,"
                            + " --port-file, --kill-grace-ms, --app, --app-label, --apps, --tasks, --shared, --prefix, --warm-tasks");
                }
            }
            return s;
        }
    }
}
