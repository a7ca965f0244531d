package io.mesoslb.bench;

import io.mesoslb.server.LbServer;
import io.mesoslb.server.config.ServerConfig;
import io.mesoslb.server.routes.RouteSources;

import io.mesoslb.core.BackendState;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.discovery.DiscoverySource;
import io.mesoslb.testkit.MarathonSimulator;
import io.mesoslb.testkit.Replacement;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long after Marathon announces a new task the proxy sends it traffic: from the simulator
 * emitting the task's TASK_RUNNING {@code status_update_event} to (a) the routing table that
 * contains it being published and (b) the first response from it through the proxy. Emitting is the moment the
 * simulator's event loop begins writing the event's frame to the balancer's stream
 * ({@link Replacement#runningNanoTime()}); runs before 2026-12-07 14:10 took it a thread hop earlier, when the
 * simulator's control thread handed the event over, and the run reports that hop apart.
 *
 * <p>Everything is the production code path: MarathonDiscovery with its default settings (including
 * the coalescing delay) reading the simulator's real SSE stream over loopback, the Netty proxy, and
 * a client on a keep-alive connection that polls the proxy every {@code -DpollMicros} (1,000). Each round kills the
 * app's only task without scaling down; Marathon then launches a replacement, so the first answer that is
 * not a 503 comes from the new task, without round robin diluting the measurement. The time is
 * taken when that response has been read, so it includes one request round trip. The task's server says when the
 * request reached it ({@link io.mesoslb.testkit.LoopbackBackend#RECEIVED_NANOS_HEADER}): the run reports that too,
 * and per round the time from the table's publication to it (the proxy's share, with up to one poll interval) and
 * from it to the response read (the task's server, the proxy's relay of the answer and the client). The first of
 * those is split at the moment the client sent the request that reached the task (before it: the client's poll
 * interval and the answers before; after it: the proxy's lookup, its connect when it had no connection to the task,
 * and the write), and the task's server also says when it accepted the connection the request came on
 * ({@link io.mesoslb.testkit.LoopbackBackend#ACCEPTED_NANOS_HEADER}): before the request was sent when the proxy had
 * a connection to the task already.
 *
 * <p>The simulator's task servers answer like warm ones from their first connection
 * ({@link io.mesoslb.testkit.SimulatorOptions#warmTasks()}), as a real task is running and a real backend warm by the
 * time Marathon says TASK_RUNNING; {@code -DwarmTasks=false} measures them cold, as runs before it did.
 *
 * <p>The measured app has the vhost label {@code MESOS_LB_VHOST} naming its Host, the one its id gives it anyway,
 * unless {@code -DvhostLabel=false}: with it discovery takes the task for an HTTP server (its service port is
 * {@code http}), as on a marathon-lb cluster; without it the service port is {@code tcp}. The first request
 * connects either way (a pre-connecting build, measured on 2026-12-07 and not merged, made use of the difference).
 *
 * <p>{@code -DkillGraceMs} (default 0) is the simulator's time from the killed task's TASK_KILLING to its TASK_KILLED
 * and the replacement's launch. At 0 the kill and the replacement's TASK_RUNNING come within a millisecond, one
 * burst, so the replacement waits out the coalescing window that the kill's publication opened; on a real cluster
 * a replacement runs seconds after the kill (the kill grace, the task's start), a lone event that is published at
 * once: 20 or more measures that.
 *
 * <p>Cluster size: {@code -Dapps=N} (default 1) makes the cluster N apps, the measured app plus N - 1 apps
 * {@code /big-<i>} of {@code -Dtasks=10} tasks each, made with {@link MarathonSimulator#createApps} so that their
 * tasks share {@code -Dshared=8} loopback backends. They are made before the balancer starts, with the simulator's
 * events suppressed (nobody is subscribed yet: they would only slow the setup down). The run also reports the
 * start: from creating the discovery and the proxy to the
 * first response from the measured app's task (the whole snapshot read and published first), the heap used after
 * that first sync (after {@code System.gc()}, {@link java.lang.management.MemoryMXBean}) and the process's RSS
 * ({@code VmRSS} in {@code /proc/self/status}), each also before the balancer started, since by default the
 * simulator and its 100,000 tasks live in the same JVM: the balancer's share is the difference. Every simulated app
 * has a service port, so by default the balancer listens on one TCP port per app as in production;
 * {@code -DservicePorts=false} turns that off.
 *
 * <p>Where the simulator runs: {@code -Dsimulator=in-process} (the default) in this JVM, sharing its heap, collector
 * and JIT threads with the balancer; {@code -Dsimulator=process} in a JVM of its own ({@link MarathonProcess}: this
 * JVM's {@code java} and class path, the JVM options of {@code -Dsimulator.jvm}, by default {@value #SIMULATOR_JVM}),
 * which reports the emit time over HTTP as its own {@link System#nanoTime()}: on Linux both JVMs read
 * {@code CLOCK_MONOTONIC}, which the run checks before it measures. The run then also reports the simulator
 * process's CPU and RSS.
 *
 * <p>Not a JMH benchmark: one sample is one whole distributed-system reaction, not a hot loop.
 * Run: {@code java [-Dapps=N] [-Dsimulator=process] -cp benchmarks/target/benchmarks.jar
 * io.mesoslb.bench.EventToRouteLatency [rounds]}.
 */
public final class EventToRouteLatency {
    private static final Logger REPORT = LoggerFactory.getLogger("mesos-lb.bench.event-to-route");
    private static final String APP = "/latency";
    private static final String HOST = "latency.bench.local";
    private static final int WARMUP = 20;
    private static final Duration ROUND_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
    /** The start is seconds long: a request every 5 ms knows it to 5 ms and leaves the cores to the balancer. */
    private static final Duration START_POLL = Duration.ofMillis(5);
    /** A simulator of 10,000 apps x 10 tasks renders a snapshot of tens of MB: room for it, out of the way. */
    private static final String SIMULATOR_JVM = "-XX:+UseParallelGC -Xms1g -Xmx1g";

    private EventToRouteLatency() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int apps = Integer.getInteger("apps", 1);
        int tasksPerApp = Integer.getInteger("tasks", 10);
        int sharedBackends = Integer.getInteger("shared", 8);
        // 0 polls back to back, as runs before 2026-12-06 22:00 did: on two cores that starves discovery.
        Duration poll = Duration.ofNanos(Long.getLong("pollMicros", 1000) * 1000);
        Map<String, Long> firstRouted = new ConcurrentHashMap<>();

        try (SimulatedMarathon marathon = simulator(apps - 1, tasksPerApp, sharedBackends)) {
            long heapBefore = heapUsedAfterGc();
            long rssBefore = Processes.rssKiB(ProcessHandle.current().pid());
            ServerConfig config = ServerConfig.builder().listenHost("127.0.0.1").listenPort(0).domain("bench.local")
                    .workerThreads(2).adminPort(-1).accessLog(false).drainPeriod("0s")
                    .servicePorts(Boolean.parseBoolean(System.getProperty("servicePorts", "true")))
                    .marathonUrls(List.of(marathon.uri().toString())).build();
            RouteTableHolder routes = new RouteTableHolder(new VhostNaming(config.domain()));
            routes.addListener(change -> {
                long now = System.nanoTime();
                Route route = change.current().lookup(HOST);
                if (route != null) {
                    for (BackendState b : route.backends()) {
                        firstRouted.putIfAbsent(b.backend().taskId(), now);
                    }
                }
            });
            String task = marathon.measuredTask();
            long[] simulatorAtStart = simulatorUsage(marathon);
            Map<String, Long> cpuAtStart = ThreadCpu.snapshot();
            long start = System.nanoTime();
            try (DiscoverySource discovery = RouteSources.create(config, routes);
                 LbServer proxy = new LbServer(config, routes).start()) {
                discovery.start();
                try (PollingClient client = new PollingClient(proxy.port(), HOST)) {
                    long firstResponse = client.awaitBody(task, START_TIMEOUT, START_POLL).readNanos();
                    Map<String, Long> cpuAtFirstResponse = ThreadCpu.snapshot();
                    long[] simulatorAtFirstResponse = simulatorUsage(marathon);
                    int routesAtStart = routes.current().routes().size();
                    long heapAfter = heapUsedAfterGc();
                    long rssAfter = Processes.rssKiB(ProcessHandle.current().pid());
                    REPORT.info(String.format("cluster: %d apps (1 measured + %d x %d tasks on %d shared"
                            + " backends), %s", apps, apps - 1, tasksPerApp, sharedBackends, marathon.setup()));
                    REPORT.info(String.format("start to first routed request: %.0f ms (%d routes in the table)",
                            (firstResponse - start) / 1e6, routesAtStart));
                    REPORT.info(String.format("the client polls every %d us during the rounds (-DpollMicros), every"
                            + " %d ms during the start", poll.toNanos() / 1000, START_POLL.toMillis()));
                    REPORT.info("CPU from start to first routed request: "
                            + ThreadCpu.between(cpuAtStart, cpuAtFirstResponse));
                    if (simulatorAtStart != null) {
                        REPORT.info(String.format("simulator process: CPU %d ms from start to first routed request"
                                + " (%d ms in all), RSS %.1f MiB", simulatorAtFirstResponse[0] - simulatorAtStart[0],
                                simulatorAtFirstResponse[0], simulatorAtFirstResponse[1] / 1024.0));
                    }
                    REPORT.info(String.format("heap used after GC: %.1f MiB before the balancer started,"
                            + " %.1f MiB after the first sync (balancer's share %.1f MiB)", mib(heapBefore),
                            mib(heapAfter), mib(heapAfter - heapBefore)));
                    REPORT.info(String.format("RSS: %.1f MiB before the balancer started, %.1f MiB after the first"
                            + " sync (difference %.1f MiB)", rssBefore / 1024.0, rssAfter / 1024.0,
                            (rssAfter - rssBefore) / 1024.0));
                    long[] toTable = new long[rounds];
                    long[] toSent = new long[rounds];
                    long[] toAccepted = new long[rounds];
                    long[] toTask = new long[rounds];
                    long[] toResponse = new long[rounds];
                    long[] handOver = new long[rounds];
                    for (int i = -WARMUP; i < rounds; i++) {
                        Replacement replaced = marathon.replace(task);
                        task = replaced.taskId();
                        PollingClient.Answer answered = client.awaitBody(task, ROUND_TIMEOUT, poll);
                        if (i >= 0) {
                            // The listener runs on the publishing thread after the swap: under load the proxy can
                            // answer from the new table before that thread has run it.
                            Long published = firstRouted.get(task);
                            for (long until = System.nanoTime() + 1_000_000_000L; published == null
                                    && System.nanoTime() < until; published = firstRouted.get(task)) {
                                Thread.onSpinWait();
                            }
                            if (published == null) {
                                throw new IllegalStateException("the proxy answered from " + task
                                        + " but no published table contained it");
                            }
                            if (answered.reachedNanos() == Long.MIN_VALUE
                                    || answered.acceptedNanos() == Long.MIN_VALUE) {
                                throw new IllegalStateException(task + " did not say when the request and its"
                                        + " connection reached it");
                            }
                            toTable[i] = published - replaced.runningNanoTime();
                            toSent[i] = answered.sentNanos() - replaced.runningNanoTime();
                            toAccepted[i] = answered.acceptedNanos() - replaced.runningNanoTime();
                            toTask[i] = answered.reachedNanos() - replaced.runningNanoTime();
                            toResponse[i] = answered.readNanos() - replaced.runningNanoTime();
                            handOver[i] = replaced.runningNanoTime() - replaced.handedOverNanoTime();
                        }
                    }
                    report(rounds, toTable, toSent, toAccepted, toTask, toResponse, client.requests());
                    line("before emitted: simulator hand-over", handOver);
                }
            }
        }
    }

    /** {@code -Dsimulator=in-process} (the default) or {@code process}, with {@code -Dsimulator.jvm} its JVM options. */
    private static SimulatedMarathon simulator(int apps, int tasks, int shared) throws Exception {
        String where = System.getProperty("simulator", "in-process");
        boolean warmTasks = Boolean.parseBoolean(System.getProperty("warmTasks", "true"));
        Duration killGrace = Duration.ofMillis(Long.getLong("killGraceMs", 0));
        // Its Host is the one derived from its id either way; the label makes its service port http, discovery's
        // word that the task speaks HTTP, as an HTTP app on a marathon-lb cluster has it.
        Map<String, String> labels = Boolean.parseBoolean(System.getProperty("vhostLabel", "true"))
                ? Map.of("MESOS_LB_VHOST", HOST) : Map.of();
        SimulatedCluster cluster = new SimulatedCluster(APP, labels, apps, tasks, shared, warmTasks, killGrace);
        switch (where) {
            case "in-process":
                return InProcessMarathon.start(cluster);
            case "process":
                String options = System.getProperty("simulator.jvm", SIMULATOR_JVM).strip();
                return MarathonProcess.start(cluster, options.isEmpty() ? List.of() : List.of(options.split("\\s+")),
                        ProcessBuilder.Redirect.INHERIT);
            default:
                throw new IllegalArgumentException("-Dsimulator=" + where + ": in-process or process");
        }
    }

    /** The simulator process's CPU ms and RSS KiB; {@code null} when it runs in this JVM. */
    private static long[] simulatorUsage(SimulatedMarathon marathon) {
        return marathon instanceof MarathonProcess p ? p.usage() : null;
    }

    private static long heapUsedAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    // A benchmark's result is its output: logged at INFO on its own logger, kept by lb-server's Logback config.
    private static void report(int rounds, long[] toTable, long[] toSent, long[] toAccepted, long[] toTask,
                               long[] toResponse, long requests) {
        REPORT.info(String.format("event-to-route latency over %d new tasks (%d warm-up rounds, %d polling requests)",
                rounds, WARMUP, requests));
        REPORT.info(String.format("%-40s %8s %8s %8s %8s %8s", "from TASK_RUNNING emitted to", "p50", "p90", "p99",
                "max", "mean"));
        line("table with the task published (ms)", toTable);
        line("request reached the new task (ms)", toTask);
        line("first response from it (ms)", toResponse);
        REPORT.info("per round, between those (ms):");
        line("  table published to request at task", minus(toTask, toTable));
        line("  request at task to response read", minus(toResponse, toTask));
        REPORT.info("the first part, table published to request at task, split (ms):");
        line("  table published to request sent", minus(toSent, toTable));
        line("  request sent to request at task", minus(toTask, toSent));
        line("  request sent to its connection accepted", minus(toAccepted, toSent));
        long[] sentToTask = minus(toTask, toSent);
        long[] early = LongStream.range(0, rounds).filter(i -> toAccepted[(int) i] < toSent[(int) i])
                .map(i -> sentToTask[(int) i]).toArray();
        long[] late = LongStream.range(0, rounds).filter(i -> toAccepted[(int) i] >= toSent[(int) i])
                .map(i -> sentToTask[(int) i]).toArray();
        REPORT.info(String.format("  the request came on a connection the task had accepted before it was sent:"
                + " %d of %d rounds", early.length, rounds));
        if (early.length > 0 && late.length > 0) {
            // What the proxy's share is once a connection is ready; not what pre-connecting saves: the rounds whose
            // task's server ran soon enough to accept first are also those where it reads the request soon.
            line("  request sent to at task, accepted before", early);
            line("  request sent to at task, accepted after", late);
        }
    }

    private static long[] minus(long[] later, long[] earlier) {
        long[] d = new long[later.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = later[i] - earlier[i];
        }
        return d;
    }

    private static void line(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        double mean = Arrays.stream(s).average().orElse(0);
        REPORT.info(String.format("%-40s %8.2f %8.2f %8.2f %8.2f %8.2f", what, ms(rank(s, 0.50)),
                ms(rank(s, 0.90)), ms(rank(s, 0.99)), ms(s[s.length - 1]), mean / 1e6));
    }

    /** Nearest-rank percentile. */
    private static long rank(long[] sorted, double p) {
        return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
