package io.mesoslb.discovery.marathon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mesoslb.core.App;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The reducer's cost of one {@code status_update_event} against a cluster of {@code apps} apps x 10
 * tasks: decode the event, apply it to the {@link MarathonState}, and, without coalescing, turn the
 * whole state into apps ({@link RoutingPolicy}) and a new routing table ({@link RouteTableHolder#update}),
 * which is what {@code MarathonDiscovery.publish} does once per coalesced burst.
 *
 * <p>One task of the middle app alternates between {@code TASK_STARTING} and {@code TASK_RUNNING},
 * so every event really changes the state and the table (the task leaves and rejoins its app's
 * rotation) and nothing is remembered as dead. The event is the real status_update_event of the wire
 * capture with its ids, host and port rewritten to that task's.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Thread)
public class TableUpdateFromEventBenchmark {
    private static final int TASKS = 10;
    private static final String DOMAIN = "example.com";

    @Param({"1000"})
    int apps;

    /**
     * Whether every app has one Marathon health check with a passing result on each task: publishing
     * then also records 10 verdicts per app in {@link HealthVerdicts}.
     */
    @Param({"false", "true"})
    boolean healthChecked;

    private MarathonState state;
    private RoutingPolicy policy;
    private RouteTableHolder holder;
    /** The production path's own policy, groups and table: publication of the changed groups alone. */
    private RouteGroups groups;
    private RouteTableHolder byGroups;
    private SseEvent starting;
    private SseEvent running;
    private boolean flip;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        List<MarathonApp> snapshot = new ArrayList<>(apps);
        for (int i = 0; i < apps; i++) {
            snapshot.add(app(i));
        }
        state = new MarathonState();
        state.replaceAll(snapshot);
        policy = new RoutingPolicy(new HealthVerdicts());
        holder = new RouteTableHolder(new VhostNaming(DOMAIN));
        holder.update(policy.apps(state.apps()));

        MarathonTask task = snapshot.get(apps / 2).tasks().get(TASKS / 2);
        SseEvent template = WireCapture.events(WireCapture.bytes()).stream()
                .filter(e -> e.type().equals("status_update_event") && e.data().contains("\"TASK_RUNNING\""))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no TASK_RUNNING status_update_event in the capture"));
        starting = statusUpdate(template, task, "TASK_STARTING");
        running = statusUpdate(template, task, "TASK_RUNNING");
        int routed = holder.current().routeForApp(task.appId()).backends().size();
        if (routed != TASKS || !decodeAndApply() || !publish()
                || holder.current().routeForApp(task.appId()).backends().size() != TASKS - 1) {
            throw new IllegalStateException("the event did not take the task out of rotation");
        }
        flip = false;
        state.apply(MarathonEvents.parse(running));
        publish();
        groups = new RouteGroups(new RoutingPolicy(new HealthVerdicts()));
        byGroups = new RouteTableHolder(new VhostNaming(DOMAIN));
        state.drainChanged();
        byGroups.updateGroups(groups.all(state));
    }

    /** The reducer's work per event when the table is published later (coalesced). */
    @Benchmark
    public boolean decodeAndApply() throws MarathonEvents.MalformedEventException {
        flip = !flip;
        MarathonState.Outcome outcome = state.apply(MarathonEvents.parse(flip ? starting : running));
        if (outcome != MarathonState.Outcome.CHANGED) {
            throw new IllegalStateException("expected a change, got " + outcome);
        }
        return true;
    }

    /** The same plus one publication: what each event would cost if discovery did not coalesce. */
    @Benchmark
    public boolean decodeApplyAndPublish() throws MarathonEvents.MalformedEventException {
        decodeAndApply();
        if (!publish()) {
            throw new IllegalStateException("expected a new table");
        }
        return true;
    }

    /**
     * What discovery does per event since issue 15 (publication proportional to the change), without the
     * coalescing delay: decode, apply, then {@link RouteGroups#changed} for the apps the event touched and
     * {@link RouteTableHolder#updateGroups} of those groups alone.
     */
    @Benchmark
    public boolean decodeApplyAndPublishChanged() throws MarathonEvents.MalformedEventException {
        decodeAndApply();
        if (!byGroups.updateGroups(groups.changed(state, state.drainChanged()))) {
            throw new IllegalStateException("expected a new table");
        }
        return true;
    }

    /**
     * The first half of a publication alone: the state's apps through {@link RoutingPolicy}, which
     * makes a new {@link io.mesoslb.core.Backend} for every routable task each time.
     */
    @Benchmark
    public List<App> stateToApps() {
        return policy.apps(state.apps());
    }

    private boolean publish() {
        return holder.update(policy.apps(state.apps()));
    }

    private MarathonApp app(int i) {
        String id = "/group" + (i % 10) + "/app" + i;
        List<MarathonTask> tasks = new ArrayList<>(TASKS);
        for (int t = 0; t < TASKS; t++) {
            // Marathon 1.4+ task ids: <app>.instance-<uuid>._app.<incarnation>
            String taskId = id.substring(1).replace('/', '_') + ".instance-" + new UUID(i, t) + "._app.1";
            int n = i * 16 + t;
            String host = "10." + (n >>> 16 & 0xff) + "." + (n >>> 8 & 0xff) + "." + (n & 0xff);
            List<HealthResult> health = healthChecked ? List.of(new HealthResult(true, taskId)) : null;
            tasks.add(new MarathonTask(taskId, id, host, List.of(31_000 + t), List.of(), MarathonTask.RUNNING, health));
        }
        return new MarathonApp(id, Map.of(), NetworkMode.HOST, 0, List.of(10_000 + i), false, List.of(),
                healthChecked ? 1 : 0, tasks);
    }

    private static SseEvent statusUpdate(SseEvent template, MarathonTask task, String status) throws IOException {
        ObjectNode json = (ObjectNode) MarathonJson.MAPPER.readTree(template.data());
        json.put("appId", task.appId()).put("taskId", task.id()).put("taskStatus", status).put("host", task.host());
        json.putArray("ports").add(task.ports().get(0));
        return new SseEvent(template.type(), MarathonJson.MAPPER.writeValueAsString(json), template.id());
    }
}
