package io.mesoslb.testkit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A Marathon that speaks the real REST and {@code /v2/events} wire formats (Marathon 1.5+ JSON shapes, Jetty SSE
 * framing), whose tasks are real {@link LoopbackBackend} HTTP servers on loopback, and into which network faults and
 * leader changes can be injected.
 *
 * <p>Every operation is applied atomically on the simulator's control thread and has emitted its events (to open
 * streams and listeners) by the time the method returns; only timed transitions (kill grace, first health result,
 * rolling restart progress) complete later. Instances made by {@link #startCluster(int)} share one state, as
 * Marathon instances share ZooKeeper; exactly one of them is leader and emits events.
 *
 * <p>Unknown apps or tasks throw {@link java.util.NoSuchElementException}; operations on an app with a
 * deployment in progress throw {@link IllegalStateException}.
 */
public final class MarathonSimulator implements AutoCloseable {
    private final Cluster cluster;
    private final Channel server;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final EventStreams streams = new EventStreams();
    private final URI uri;
    private final String hostAndPort;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean available = true;

    private MarathonSimulator(Cluster cluster, int port) {
        this.cluster = cluster;
        SimulatorOptions options = cluster.options();
        ApiRouter router = new ApiRouter(cluster);
        this.server = new ServerBootstrap()
                .group(cluster.group())
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                new SimHttpHandler(MarathonSimulator.this, router));
                    }
                })
                .bind(options.host(), port)
                .syncUninterruptibly()
                .channel();
        String host = options.host().equals("0.0.0.0") ? "127.0.0.1" : options.host();
        this.hostAndPort = host + ":" + ((InetSocketAddress) server.localAddress()).getPort();
        this.uri = URI.create("http://" + hostAndPort);
    }

    /** A single leading instance on {@code 127.0.0.1} and a free port, with default options. */
    public static MarathonSimulator start() {
        return start(SimulatorOptions.defaults());
    }

    public static MarathonSimulator start(SimulatorOptions options) {
        return startCluster(1, options).get(0);
    }

    /** {@code n} instances sharing one state; the first one leads. All bind free ports. */
    public static List<MarathonSimulator> startCluster(int n) {
        return startCluster(n, SimulatorOptions.defaults());
    }

    public static List<MarathonSimulator> startCluster(int n, SimulatorOptions options) {
        Objects.requireNonNull(options, "options");
        if (n < 1) {
            throw new IllegalArgumentException("a cluster needs at least one instance: " + n);
        }
        if (n > 1 && options.port() != 0) {
            throw new IllegalArgumentException("instances of a cluster cannot share the fixed port " + options.port());
        }
        return startCluster(new Cluster(options), n);
    }

    /** {@code n} instances of {@code cluster}; on a failure the ones started close, and the cluster's threads stop. */
    static List<MarathonSimulator> startCluster(Cluster cluster, int n) {
        List<MarathonSimulator> members = new ArrayList<>();
        try {
            if (cluster.options().warmTasks()) {
                cluster.run(cluster.marathon()::warmBackendCode);
            }
            for (int i = 0; i < n; i++) {
                MarathonSimulator member = new MarathonSimulator(cluster, cluster.options().port());
                cluster.join(member);
                members.add(member);
            }
        } catch (Throwable e) {
            // Throwable: a failed bind's BindException is checked, and Netty throws it undeclared.
            members.forEach(MarathonSimulator::close);
            if (members.isEmpty()) {
                cluster.shutdown();
            }
            throw e;
        }
        return List.copyOf(members);
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
    public URI uri() {
        return uri;
    }

    /** The API port. */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public SimulatorOptions options() {
        return cluster.options();
    }

    // ---------------------------------------------------------------- apps and tasks

    /**
     * Creates an app (as {@code POST /v2/apps} would) and starts its tasks: each gets a backend, then
     * TASK_STAGING and TASK_RUNNING. With health checks, tasks have no result until the first check
     * ({@link SimulatorOptions#healthCheckDelay()}), then {@code alive=true} if {@link SimulatorOptions#autoHealthy()}.
     */
    public SimApp createApp(String appId, int instances, Map<String, String> labels, boolean healthChecks) {
        Map<String, String> copy = new LinkedHashMap<>(labels == null ? Map.of() : labels);
        AppState app = cluster.call(() -> cluster.marathon().create(appId, instances, copy, healthChecks, "/v2/apps"));
        return new SimApp(this, app.id, app.ports, app.bridge, app.healthChecks);
    }

    /**
     * A big cluster quickly: {@code count} apps {@code /<prefix>-<i>} of {@code instances} running tasks each,
     * without labels or health checks, whose tasks share {@code sharedBackends} loopback HTTP servers (a
     * shared server answers with the id of the first task it was started for, not of each task). Their
     * launches are emitted as events like any other: make them before a balancer subscribes, or it reads
     * them all.
     */
    public void createApps(String prefix, int count, int instances, int sharedBackends) {
        cluster.run(() -> cluster.marathon().createShared(prefix, count, instances, sharedBackends));
    }

    /**
     * Creates an app with several ports, each served by every task (an HTTP server answering with the task id,
     * or a TCP echo server) on a host port of its own, and each with its service port ({@link SimPort#servicePort()},
     * or the next free one when 0): in {@code portDefinitions} with host networking, in
     * {@code container.portMappings} with bridge networking (Marathon 1.5+ shapes). Health checks, if any,
     * watch port 0 over HTTP.
     */
    public SimApp createApp(String appId, int instances, Map<String, String> labels, boolean healthChecks,
                            List<SimPort> ports, boolean bridge) {
        Map<String, String> copy = new LinkedHashMap<>(labels == null ? Map.of() : labels);
        List<SimPort> portsCopy = List.copyOf(ports);
        AppState app = cluster.call(() -> cluster.marathon().create(appId, instances, copy, healthChecks, portsCopy,
                bridge, "/v2/apps"));
        return new SimApp(this, app.id, app.ports, app.bridge, app.healthChecks);
    }

    /** The app with this id (with or without the leading slash). */
    public SimApp app(String appId) {
        AppState app = cluster.call(() -> cluster.marathon().app(appId));
        return new SimApp(this, app.id, app.ports, app.bridge, app.healthChecks);
    }

    /** Scales like {@code PUT /v2/apps/{id} {"instances":n}}: new backends start; youngest tasks are killed. */
    public void scale(String appId, int instances) {
        cluster.run(() -> cluster.marathon().update(appId, instances, null, appUri(appId)));
    }

    /** Replaces the labels like {@code PUT /v2/apps/{id} {"labels":{..}}}; tasks keep running. */
    public void setLabels(String appId, Map<String, String> labels) {
        Map<String, String> copy = new LinkedHashMap<>(labels);
        cluster.run(() -> cluster.marathon().update(appId, null, copy, appUri(appId)));
    }

    /**
     * Kills a task and scales its app down by one ({@code DELETE ...?scale=true}): TASK_KILLING at once, the
     * backend keeps serving for {@link SimulatorOptions#killGrace()}, then it stops and TASK_KILLED follows.
     */
    public void killTask(String taskId) {
        killTask(taskId, true);
    }

    /** Like {@link #killTask(String)}; with {@code scale=false} Marathon launches a replacement after TASK_KILLED. */
    public void killTask(String taskId, boolean scale) {
        cluster.run(() -> cluster.marathon().kill(taskId, scale));
    }

    /**
     * Kills a task without scaling down, as {@code killTask(taskId, false)}, and completes (on the control thread) once
     * Marathon's replacement has had its TASK_RUNNING emitted, after the kill grace; also {@code POST
     * /_sim/tasks/<task id>/replace}. Fails if that event is not emitted (events suppressed) or the app is deleted
     * first.
     */
    public CompletableFuture<Replacement> replaceTask(String taskId) {
        return cluster.call(() -> cluster.marathon().replace(taskId));
    }

    /** The task's process dies: backend stopped at once, TASK_FAILED, and a replacement is launched. */
    public void failTask(String taskId) {
        cluster.run(() -> cluster.marathon().fail(taskId, "Command exited with status 137"));
    }

    /**
     * Sets the result of the task's health check; emits {@code health_status_changed_event} and
     * {@code instance_health_changed_event} when it is the first result or {@code alive} changed. The value is also
     * what checks find again after a leader change.
     */
    public void setHealth(String taskId, boolean alive) {
        cluster.run(() -> cluster.marathon().setHealth(taskId, alive));
    }

    /** Removes the app: backends stopped, TASK_KILLED for each task, then {@code app_terminated_event}. */
    public void deleteApp(String appId) {
        cluster.run(() -> cluster.marathon().delete(appId));
    }

    /**
     * Starts a rolling restart: all new-version tasks start at once, and each old task is killed only after one
     * more new task became ready (healthy, for apps with checks). Returns at once; the deployment completes with
     * {@code deployment_success}.
     */
    public void rollingRestart(String appId) {
        cluster.run(() -> cluster.marathon().restart(appId));
    }

    /** Snapshots of the app's tasks in launch order, including those still TASK_KILLING; empty for unknown apps. */
    public List<SimTask> tasks(String appId) {
        return cluster.call(() -> cluster.marathon().snapshot(appId));
    }

    /** Requests the task's backend has answered; still available after the task is gone. */
    public int requestsServedBy(String taskId) {
        return cluster.marathon().requestsServedBy(taskId);
    }

    // ---------------------------------------------------------------- faults

    /** Closes every open {@code /v2/events} connection of this instance; they are closed when this returns. */
    public void dropStreams() {
        streams.closeAll();
    }

    /** The next event is cut half-way through its data line; then every stream of this instance closes. */
    public void dropStreamsMidEvent() {
        cluster.run(streams::cutNextEvent);
    }

    /** Sends every stream a {@code status_update_event} whose data line is not valid JSON. */
    public void sendMalformedEvent() {
        cluster.run(() -> cluster.publish("status_update_event",
                "{\"eventType\":\"status_update_event\",\"taskId\":\"broken"));
    }

    /** {@code false}: every request to this instance is answered 503 and its open streams close. */
    public void setAvailable(boolean up) {
        available = up;
        if (!up) {
            streams.closeAll();
        }
    }

    /** Streams stay open but receive nothing, neither events nor heartbeats; what they miss is lost. */
    public void stallStreams(boolean stalled) {
        streams.stall(stalled);
    }

    /**
     * State changes still happen but emit no events, as if they were lost; streams still open and receive their
     * {@code event_stream_attached}. Applies to the whole cluster.
     */
    public void setEventsSuppressed(boolean suppressed) {
        cluster.suppressEvents(suppressed);
    }

    /** Event streams currently open on this instance (counted once the stream received its attach event). */
    public int openEventStreams() {
        return streams.count();
    }

    /** Called on the simulator's control thread for every emitted event; must not block. Cluster-wide. */
    public void addEventListener(Consumer<EmittedEvent> listener) {
        cluster.addListener(Objects.requireNonNull(listener, "listener"));
    }

    // ---------------------------------------------------------------- leadership

    /**
     * This instance takes over leadership: all streams of all instances close and health results are forgotten
     * (Marathon does not persist them) until checks run again. On the current leader it simulates a re-election.
     */
    public void becomeLeader() {
        cluster.run(() -> cluster.electLeader(this));
    }

    public boolean isLeader() {
        return cluster.leader() == this;
    }

    /** Closes the API and its connections; the last instance of a cluster also stops all backends. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        available = false;
        server.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly();
        if (cluster.leave(this)) {
            cluster.shutdown();
        }
    }

    @Override
    public String toString() {
        return "MarathonSimulator[" + uri + (isLeader() ? ", leader]" : ", standby]");
    }

    // ---------------------------------------------------------------- package-private plumbing

    Cluster cluster() {
        return cluster;
    }

    EventStreams streams() {
        return streams;
    }

    boolean isAvailable() {
        return available;
    }

    String hostAndPort() {
        return hostAndPort;
    }

    private static String appUri(String appId) {
        return "/v2/apps" + Marathon.normalizeId(appId);
    }
}
