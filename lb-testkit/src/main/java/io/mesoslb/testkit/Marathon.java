package io.mesoslb.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The simulated Marathon state machine: apps, tasks and their lifecycles, and the events each transition emits.
 * Everything except {@link #requestsServedBy(String)} runs on the cluster's single control thread, so the state
 * needs no locks and every public operation is atomic as seen by REST readers.
 *
 * <p>Errors follow one convention, which the REST layer maps to Marathon's statuses: unknown app or task
 * {@link NoSuchElementException} (404), locked or existing app {@link IllegalStateException} (409), invalid input
 * {@link IllegalArgumentException} (422).
 */
final class Marathon {
    static final String SLAVE_ID = "c28a2184-c702-482c-91c8-5af9318434d4-S0";
    static final String RESTART = "RestartApplication";
    /** Connections {@link #warmBackendCode} serves: enough for the JIT to compile the accept-read-write path. */
    static final int WARM_UP_CONNECTIONS = 2_000;
    /** Marathon's rule for one path segment of an app id. */
    private static final Pattern ID_SEGMENT =
            Pattern.compile("^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])$");

    private final Cluster cluster;
    private final Timestamps clock = new Timestamps();
    private final Map<String, AppState> apps = new TreeMap<>();
    private final Map<String, TaskState> tasks = new HashMap<>();
    /** Every backend ever started, so request counts survive the task; read from any thread. */
    private final Map<String, LoopbackBackend> backends = new ConcurrentHashMap<>();
    /** Backends shared by the tasks of apps made with {@link #createShared}. */
    private final List<LoopbackBackend> shared = new ArrayList<>();
    private int nextServicePort = 10_000;
    /** Per app id, who waits for the next of its tasks to be announced running ({@link #replace}). */
    private final Map<String, List<PendingReplacement>> awaitingRunning = new HashMap<>();

    private record PendingReplacement(String killedTaskId, CompletableFuture<Replacement> result) {
    }

    Marathon(Cluster cluster) {
        this.cluster = cluster;
    }

    static String normalizeId(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("app id must not be empty");
        }
        String id = raw.trim();
        if (!id.startsWith("/")) {
            id = "/" + id;
        }
        while (id.length() > 1 && id.endsWith("/")) {
            id = id.substring(0, id.length() - 1);
        }
        for (String segment : id.substring(1).split("/", -1)) {
            if (!ID_SEGMENT.matcher(segment).matches()) {
                throw new IllegalArgumentException("invalid app id '" + raw + "': path segments must be lower case "
                        + "letters, digits, '-' and '.'");
            }
        }
        return id;
    }

    // ---------------------------------------------------------------- queries

    Collection<AppState> apps() {
        return apps.values();
    }

    AppState app(String id) {
        AppState app = apps.get(normalizeId(id));
        if (app == null) {
            throw new NoSuchElementException("App '" + normalizeId(id) + "' does not exist");
        }
        return app;
    }

    AppState findApp(String id) {
        try {
            return apps.get(normalizeId(id));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    TaskState task(String taskId) {
        TaskState t = tasks.get(taskId);
        if (t == null) {
            throw new NoSuchElementException("Task '" + taskId + "' does not exist");
        }
        return t;
    }

    List<SimTask> snapshot(String appId) {
        AppState app = findApp(appId);
        List<SimTask> out = new ArrayList<>();
        if (app != null) {
            app.tasks.values().forEach(t -> out.add(t.snapshot()));
        }
        return out;
    }

    int requestsServedBy(String taskId) {
        LoopbackBackend b = backends.get(taskId);
        if (b == null) {
            throw new NoSuchElementException("no backend was ever started for task '" + taskId + "'");
        }
        return b.requests();
    }

    // ---------------------------------------------------------------- app operations

    AppState create(String rawId, int instances, Map<String, String> labels, boolean healthChecks, String uri) {
        return create(rawId, instances, labels, healthChecks, List.of(SimPort.http()), false, uri);
    }

    /** @param ports each port's protocol and service port (0: the next free one) */
    AppState create(String rawId, int instances, Map<String, String> labels, boolean healthChecks,
                    List<SimPort> ports, boolean bridge, String uri) {
        return create(rawId, instances, labels, healthChecks, ports, bridge, null, uri);
    }

    /** @param posted the posted fields the simulator does not model, shown back as they were (or {@code null}) */
    AppState create(String rawId, int instances, Map<String, String> labels, boolean healthChecks,
                    List<SimPort> ports, boolean bridge, ObjectNode posted,
                    String uri) {
        String id = normalizeId(rawId);
        requireInstances(instances);
        if (apps.containsKey(id)) {
            throw new IllegalStateException("An app with id [" + id + "] already exists.");
        }
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("an app needs a port");
        }
        List<SimPort> assigned = new ArrayList<>(ports.size());
        for (SimPort p : ports) {
            assigned.add(p.servicePort() != 0 ? p : new SimPort(p.protocol(), nextServicePort++));
        }
        AppState app = new AppState(id, instances, labels, healthChecks, assigned, bridge, clock.nextVersion());
        app.posted = posted;
        apps.put(id, app);
        cluster.emit(EventBodies.apiPost(uri, app));
        Deployment d = startDeployment(app, "StartApplication");
        reconcile(app);
        finishDeployment(app, d);
        return app;
    }

    /** A {@code PUT /v2/apps/{id}}: new instance count and/or labels ({@code null} leaves either unchanged). */
    String update(String appId, Integer instances, Map<String, String> labels, String uri) {
        AppState app = app(appId);
        if (app.deployment != null) {
            throw new IllegalStateException("App is locked by one or more deployments: " + app.deployment.id);
        }
        String version = clock.nextVersion();
        app.version = version;
        if (labels != null) {
            app.labels = new LinkedHashMap<>(labels);
            app.lastConfigChangeAt = version;
        }
        boolean scaling = instances != null && instances != app.instances;
        if (scaling) {
            requireInstances(instances);
            app.instances = instances;
            app.lastScalingAt = version;
        }
        cluster.emit(EventBodies.apiPost(uri, app));
        if (!scaling) {
            return UUID.randomUUID().toString(); // labels only: tasks keep running, nothing to deploy
        }
        Deployment d = startDeployment(app, "ScaleApplication");
        reconcile(app);
        finishDeployment(app, d);
        return d.id;
    }

    /** Removes the app at once: backends stopped, TASK_KILLED for each task, then {@code app_terminated_event}. */
    String delete(String appId) {
        AppState app = app(appId);
        apps.remove(app.id);
        Deployment d = new Deployment(UUID.randomUUID().toString(), "StopApplication", clock.nextVersion());
        cluster.emit(EventBodies.deploymentInfo(d, app.id));
        for (TaskState t : new ArrayList<>(app.tasks.values())) {
            terminate(t, TaskState.KILLED, "Killed", "");
        }
        cluster.emit(EventBodies.appTerminated(app.id));
        List<PendingReplacement> waiting = awaitingRunning.remove(app.id);
        if (waiting != null) {
            waiting.forEach(w -> w.result().completeExceptionally(new NoSuchElementException("App '" + app.id
                    + "' was deleted before a replacement ran")));
        }
        cluster.emit(EventBodies.deploymentSuccess(d, app.id));
        return d.id;
    }

    /**
     * Marathon's default rolling upgrade (minimumHealthCapacity 1, maximumOverCapacity 1): all new tasks start at
     * once, and each old task is killed only after one more new task became ready (running, and healthy when the app
     * has checks).
     */
    String restart(String appId) {
        AppState app = app(appId);
        if (app.deployment != null) {
            throw new IllegalStateException("App is locked by one or more deployments: " + app.deployment.id);
        }
        String version = clock.nextVersion();
        app.version = version;
        app.lastConfigChangeAt = version;
        Deployment d = startDeployment(app, RESTART);
        for (int i = 0; i < app.instances; i++) {
            launch(app);
        }
        progressRestart(app);
        return d.id;
    }

    // ---------------------------------------------------------------- task operations

    /** Kills a task; with {@code scale} the app shrinks by one, otherwise Marathon replaces the task. */
    TaskState kill(String taskId, boolean scale) {
        TaskState t = task(taskId);
        if (t.isKilling()) {
            return t;
        }
        AppState app = apps.get(t.appId);
        if (scale && app != null) {
            app.instances = Math.max(0, app.instances - 1);
            app.lastScalingAt = clock.nextVersion();
            app.version = app.lastScalingAt;
        }
        startKill(t);
        return t;
    }

    /**
     * Kills a task without scaling down; completes once the app's next task to run (the replacement, after the kill
     * grace) has had its TASK_RUNNING emitted. Fails if that event is not emitted (events suppressed) or the app is
     * deleted first.
     */
    CompletableFuture<Replacement> replace(String taskId) {
        TaskState old = task(taskId);
        PendingReplacement pending = new PendingReplacement(old.id, new CompletableFuture<>());
        awaitingRunning.computeIfAbsent(old.appId, id -> new ArrayList<>()).add(pending);
        kill(taskId, false);
        return pending.result();
    }

    /** The task's process dies: backend gone at once, TASK_FAILED, and Marathon launches a replacement. */
    void fail(String taskId, String message) {
        TaskState t = task(taskId);
        AppState app = apps.get(t.appId);
        terminate(t, TaskState.FAILED, "Failed", message);
        if (app != null) {
            app.lastTaskFailure = lastTaskFailure(t, message);
            reconcile(app);
            progressRestart(app);
        }
    }

    void setHealth(String taskId, boolean alive) {
        TaskState t = task(taskId);
        AppState app = apps.get(t.appId);
        if (app == null || !app.healthChecks) {
            throw new IllegalStateException("app " + t.appId + " has no health checks, so task " + taskId
                    + " has no health results to change");
        }
        t.healthTruth = alive;
        applyHealth(app, t, alive);
    }

    /** A new leader knows no health results until its checks run again. */
    void forgetHealth() {
        for (TaskState t : tasks.values()) {
            t.health = null;
            if (t.healthTruth != null) {
                scheduleCheck(t);
            }
        }
    }

    void stopAll() {
        backends.values().forEach(LoopbackBackend::stop);
        shared.forEach(LoopbackBackend::stop);
        tasks.values().forEach(TaskState::stop);
    }

    /**
     * Serves {@link #WARM_UP_CONNECTIONS} connections of one request each on a throwaway server, for
     * {@link SimulatorOptions#warmTasks()}: a task's first connection then runs compiled code, as in a backend that
     * has served before, instead of the interpreter.
     */
    void warmBackendCode() {
        LoopbackBackend throwaway = LoopbackBackend.start(cluster.group(), "warm-up");
        try {
            for (int i = 0; i < WARM_UP_CONNECTIONS; i++) {
                throwaway.warmUp();
            }
        } finally {
            throwaway.stop();
        }
    }

    // ---------------------------------------------------------------- lifecycle internals

    private void reconcile(AppState app) {
        long active = app.activeTasks();
        for (; active < app.instances; active++) {
            launch(app);
        }
        if (app.deployment != null && RESTART.equals(app.deployment.action)) {
            return; // a rolling restart runs over capacity on purpose; it retires old tasks itself
        }
        List<TaskState> youngestFirst = new ArrayList<>(app.tasks.values());
        Collections.reverse(youngestFirst);
        for (TaskState t : youngestFirst) {
            if (active <= app.instances) {
                break;
            }
            if (!t.isKilling()) {
                startKill(t);
                active--;
            }
        }
    }

    /**
     * Creates {@code count} apps {@code <prefix>-<i>} of {@code instances} tasks each, whose tasks share
     * {@code sharedBackends} loopback servers (each answering with the id of the task it was first started
     * for) instead of one server per task: a cluster of 10,000 apps x 10 tasks without 100,000 servers.
     */
    void createShared(String prefix, int count, int instances, int sharedBackends) {
        if (sharedBackends < 1) {
            throw new IllegalArgumentException("at least one shared backend");
        }
        while (shared.size() < sharedBackends) {
            shared.add(started(LoopbackBackend.start(cluster.group(), "shared-" + shared.size())));
        }
        for (int i = 0; i < count; i++) {
            String id = normalizeId(prefix + "-" + i);
            if (apps.containsKey(id)) {
                throw new IllegalStateException("An app with id [" + id + "] already exists.");
            }
            AppState app = new AppState(id, instances, Map.of(), false, List.of(new SimPort(SimPort.Protocol.HTTP,
                    nextServicePort++)), false, clock.nextVersion());
            app.sharedBackends = true;
            apps.put(id, app);
            reconcile(app);
        }
    }

    private void launch(AppState app) {
        String uuid = UUID.randomUUID().toString();
        String prefix = app.id.substring(1).replace('/', '_');
        String taskId = prefix + "." + uuid;
        LoopbackBackend backend;
        if (app.sharedBackends) {
            backend = shared.get(Math.floorMod(taskId.hashCode(), shared.size()));
        } else {
            backend = started(LoopbackBackend.start(cluster.group(), taskId));
            backends.put(taskId, backend);
        }
        List<Integer> hostPorts = new ArrayList<>(app.ports.size());
        List<AutoCloseable> others = new ArrayList<>();
        for (int i = 0; i < app.ports.size(); i++) {
            if (app.ports.get(i).protocol() == SimPort.Protocol.TCP) {
                TcpEchoBackend echo = TcpEchoBackend.start(cluster.group(), taskId);
                others.add(echo);
                hostPorts.add(echo.port());
            } else if (i == 0) {
                hostPorts.add(backend.port());
            } else {
                LoopbackBackend http = started(LoopbackBackend.start(cluster.group(), taskId));
                others.add(http);
                hostPorts.add(http.port());
            }
        }
        TaskState t = new TaskState(taskId, prefix + ".marathon-" + uuid, app.id, SLAVE_ID, app.version, backend,
                hostPorts, others, Timestamps.now());
        t.sharedBackend = app.sharedBackends;
        app.tasks.put(taskId, t);
        tasks.put(taskId, t);
        cluster.emit(EventBodies.statusUpdate(t, ""));
        cluster.emit(EventBodies.instanceChanged(t, "Staging"));
        t.state = TaskState.RUNNING;
        t.startedAt = Timestamps.now();
        Cluster.Emission running = cluster.emit(EventBodies.statusUpdate(t, ""));
        cluster.emit(EventBodies.instanceChanged(t, "Running"));
        announceRunning(t, running);
        if (app.healthChecks && cluster.options().autoHealthy()) {
            t.healthTruth = Boolean.TRUE;
            scheduleCheck(t);
        }
    }

    /** A task's server as its process would be once up: warmed when the options say so. */
    private LoopbackBackend started(LoopbackBackend backend) {
        if (cluster.options().warmTasks()) {
            try {
                backend.warmUp();
            } catch (RuntimeException e) {
                backend.stop();
                throw e;
            }
        }
        return backend;
    }

    private void announceRunning(TaskState t, Cluster.Emission running) {
        List<PendingReplacement> waiting = awaitingRunning.remove(t.appId);
        if (waiting == null) {
            return;
        }
        for (PendingReplacement w : waiting) {
            if (running != null) {
                // Completed on the stream's event loop, once the frame is being written there.
                running.writing().thenAccept(writing -> w.result().complete(new Replacement(w.killedTaskId(), t.id,
                        writing == null ? running.handedOver() : writing, running.handedOver())));
            } else {
                w.result().completeExceptionally(new IllegalStateException("TASK_RUNNING of " + t.id
                        + " was not emitted: events are suppressed"));
            }
        }
    }

    private void scheduleCheck(TaskState t) {
        cluster.schedule(cluster.options().healthCheckDelay(), () -> {
            AppState app = apps.get(t.appId);
            if (tasks.get(t.id) == t && app != null && t.health == null && t.healthTruth != null && !t.isKilling()) {
                applyHealth(app, t, t.healthTruth);
            }
        });
    }

    private void applyHealth(AppState app, TaskState t, boolean alive) {
        boolean first = t.health == null;
        if (first) {
            t.health = new HealthResult();
        }
        boolean changed = t.health.record(alive, Timestamps.now());
        if (first || changed) {
            cluster.emit(EventBodies.healthStatusChanged(t, alive));
            cluster.emit(EventBodies.instanceHealthChanged(t, alive));
            progressRestart(app);
        }
    }

    /** TASK_KILLING now; the backend keeps serving for the kill grace period, then TASK_KILLED. */
    private void startKill(TaskState t) {
        t.state = TaskState.KILLING;
        cluster.emit(EventBodies.statusUpdate(t, ""));
        cluster.emit(EventBodies.instanceChanged(t, "Killing"));
        // Always deferred, even with zero grace, so kills started while iterating tasks never re-enter.
        cluster.schedule(cluster.options().killGrace(), () -> {
            Function<SimTask, CompletionStage<?>> gate = cluster.options().killGate();
            if (gate == null || tasks.get(t.id) != t) {
                endKill(t);
            } else {
                gate.apply(t.snapshot()).whenComplete((done, failed) -> cluster.schedule(Duration.ZERO, () -> endKill(t)));
            }
        });
    }

    /** The end of a kill's grace: the backend stops, TASK_KILLED. */
    private void endKill(TaskState t) {
        if (tasks.get(t.id) != t) {
            return;
        }
        terminate(t, TaskState.KILLED, "Killed", "");
        AppState app = apps.get(t.appId);
        if (app != null) {
            reconcile(app);
            progressRestart(app);
        }
    }

    private void terminate(TaskState t, String state, String condition, String message) {
        t.stop();
        t.state = state;
        tasks.remove(t.id);
        AppState app = apps.get(t.appId);
        if (app != null) {
            app.tasks.remove(t.id);
        }
        cluster.emit(EventBodies.statusUpdate(t, message));
        cluster.emit(EventBodies.instanceChanged(t, condition));
    }

    private void progressRestart(AppState app) {
        Deployment d = app.deployment;
        if (d == null || !RESTART.equals(d.action) || apps.get(app.id) != app) {
            return;
        }
        int ready = 0;
        List<TaskState> oldServing = new ArrayList<>();
        int oldRemaining = 0;
        for (TaskState t : app.tasks.values()) {
            if (t.version.equals(d.version)) {
                ready += app.ready(t) ? 1 : 0;
            } else {
                oldRemaining++;
                if (!t.isKilling()) {
                    oldServing.add(t);
                }
            }
        }
        for (TaskState old : oldServing) {
            if (d.oldKilled >= ready) {
                break;
            }
            d.oldKilled++;
            startKill(old);
        }
        if (oldRemaining == 0 && ready >= app.instances) {
            finishDeployment(app, d);
        }
    }

    private Deployment startDeployment(AppState app, String action) {
        Deployment d = new Deployment(UUID.randomUUID().toString(), action, app.version);
        app.deployment = d;
        cluster.emit(EventBodies.deploymentInfo(d, app.id));
        return d;
    }

    private void finishDeployment(AppState app, Deployment d) {
        if (app.deployment == d) {
            app.deployment = null;
            cluster.emit(EventBodies.deploymentSuccess(d, app.id));
        }
    }

    private static ObjectNode lastTaskFailure(TaskState t, String message) {
        ObjectNode n = MarathonJson.MAPPER.createObjectNode();
        n.put("appId", t.appId);
        n.put("host", MarathonJson.HOST);
        n.put("message", message);
        n.put("state", t.state);
        n.put("taskId", t.id);
        n.put("timestamp", Timestamps.now());
        n.put("version", t.version);
        n.put("slaveId", t.slaveId);
        return n;
    }

    private static void requireInstances(int instances) {
        if (instances < 0) {
            throw new IllegalArgumentException("instances must not be negative: " + instances);
        }
    }
}
