package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.Backend;
import io.mesoslb.core.BackendState;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.discovery.OutOfRotation;
import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.MarathonSimulator;
import io.mesoslb.testkit.SimTask;
import io.mesoslb.testkit.SimulatorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** MarathonDiscovery against the testkit's Marathon simulator, observed through the routing table. */
class MarathonDiscoverySimulatorTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final String APP = "/web";
    private static final String HOST = "web.example.com";
    private static final String OTHER_APP = "/other";
    private static final String OTHER_HOST = "other.example.com";

    private final RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"));
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private MarathonDiscovery discovery;

    @AfterEach
    void tearDown() throws Exception {
        if (discovery != null) {
            discovery.close();
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    @Test
    void scaledUpTasksAppearAndKilledOnesGoWhileStillKilling() {
        MarathonSimulator sim = simulator(SimulatorOptions.builder().killGrace(Duration.ofMinutes(5)).build());
        sim.createApp(APP, 2, Map.of(), false);
        start(config(sim));
        awaitRoutedAsRunning(sim);

        sim.scale(APP, 4);
        awaitRoutedAsRunning(sim);
        assertThat(addresses()).hasSize(4);

        SimTask victim = sim.tasks(APP).get(0);
        sim.killTask(victim.id());

        Await.until(DEADLINE, () -> !addresses().contains(address(victim)), this::describe);
        assertThat(sim.tasks(APP)).filteredOn(t -> t.id().equals(victim.id())).extracting(SimTask::state)
                .as("removed on TASK_KILLING, not on TASK_KILLED").containsExactly("TASK_KILLING");
        assertThat(addresses()).hasSize(3);
    }

    @Test
    void healthChecksGateTasks() {
        MarathonSimulator sim = simulator(SimulatorOptions.builder().healthCheckDelay(Duration.ofMillis(50)).build());
        sim.createApp(APP, 2, Map.of(), true);
        start(config(sim));
        awaitRouted(sim, MarathonDiscoverySimulatorTest::healthy, 2);

        SimTask sick = sim.tasks(APP).get(1);
        sim.setHealth(sick.id(), false);
        Await.until(DEADLINE, () -> addresses().size() == 1 && !addresses().contains(address(sick)), this::describe);
        // Out of the table, but not out of sight: the status page shows it as down.
        assertThat(discovery.state().outOfRotation()).containsOnlyKeys(APP);
        assertThat(discovery.state().outOfRotation().get(APP)).containsExactly(new OutOfRotation(sick.id(),
                address(sick), OutOfRotation.DOWN, "failing Marathon health checks"));

        sim.setHealth(sick.id(), true);
        Await.until(DEADLINE, () -> addresses().size() == 2, this::describe);
        assertThat(discovery.state().outOfRotation()).isEmpty();
    }

    @Test
    void newTaskOfAnAppWithChecksWaitsForItsFirstResult() {
        MarathonSimulator sim = simulator(SimulatorOptions.builder().autoHealthy(false).build());
        sim.createApp(APP, 1, Map.of(), true);
        start(config(sim));
        Await.until(DEADLINE, () -> discovery.state().synced());
        assertThat(addresses()).isEmpty();
        SimTask task = sim.tasks(APP).get(0);
        assertThat(discovery.state().outOfRotation().get(APP)).extracting(OutOfRotation::taskId, OutOfRotation::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(task.id(), OutOfRotation.STARTING));
        sim.setHealth(task.id(), true);

        awaitAddresses(List.of(address(task)));
    }

    @Test
    void leaderElectionDoesNotUnrouteHealthyTasks() {
        List<MarathonSimulator> cluster = cluster(2, SimulatorOptions.builder().autoHealthy(false)
                .healthCheckDelay(Duration.ofHours(1)).build());
        MarathonSimulator first = cluster.get(0);
        first.createApp(APP, 3, Map.of(), true);
        first.tasks(APP).forEach(t -> first.setHealth(t.id(), true));
        start(MarathonConfig.builder(List.of(first.uri(), cluster.get(1).uri()))
                .backoff(Duration.ofMillis(10), Duration.ofMillis(100)));
        awaitRouted(first, t -> true, 3);
        long syncs = discovery.state().fullSyncs();
        // Written by the discovery thread, read here: a plain ArrayList could show a null slot.
        List<RouteTable> tables = new CopyOnWriteArrayList<>();
        holder.addListener(change -> tables.add(change.current()));

        cluster.get(1).becomeLeader();

        Await.until(DEADLINE, () -> discovery.state().connected() && discovery.state().fullSyncs() > syncs,
                this::describe);
        assertThat(cluster.get(1).tasks(APP)).extracting(SimTask::alive).containsOnlyNulls();
        assertThat(addresses()).hasSize(3);
        assertThat(tables).as("no table without the healthy tasks was published").isEmpty();
    }

    @Test
    void streamCutMidEventWithMissedEventsIsRepairedOnReconnect() {
        MarathonSimulator sim = simulator(SimulatorOptions.builder().killGrace(Duration.ofMinutes(5)).build());
        sim.createApp(APP, 1, Map.of(), false);
        sim.createApp(OTHER_APP, 2, Map.of(), false);
        AtomicInteger attached = new AtomicInteger();
        sim.addEventListener(e -> attached.addAndGet(e.eventType().equals("event_stream_attached") ? 1 : 0));
        // No periodic snapshot: only the reconnect may take one.
        start(config(sim).resyncInterval(Duration.ofHours(1)));
        awaitRoutedAsRunning(sim);
        SimTask killed = sim.tasks(OTHER_APP).get(0);
        SimTask kept = sim.tasks(OTHER_APP).get(1);
        awaitAddresses(OTHER_HOST, List.of(address(killed), address(kept)));
        Await.until(DEADLINE, () -> attached.get() == 1, this::describe);
        long syncs = discovery.state().fullSyncs();

        sim.dropStreamsMidEvent();
        sim.setEventsSuppressed(true);
        sim.scale(APP, 3);
        // Nothing later on the stream names the other app: only a snapshot can show that this task is going.
        sim.killTask(killed.id());
        sim.setEventsSuppressed(false);
        sim.scale(APP, 4);

        awaitRoutedAsRunning(sim);
        assertThat(addresses()).hasSize(4);
        awaitAddresses(OTHER_HOST, List.of(address(kept)));
        // Published once the new stream's head is out, so it may trail the snapshot a little.
        Await.until(DEADLINE, () -> attached.get() >= 2, () -> "the cut stream reopened: " + attached);
        assertThat(discovery.state().fullSyncs()).as("a full snapshot on reconnect").isGreaterThan(syncs);
        assertThat(discovery.state().connected()).isTrue();
    }

    @Test
    void suppressedEventsAreRepairedWhenTheStreamDrops() {
        MarathonSimulator sim = routing(1, c -> c);

        sim.setEventsSuppressed(true);
        sim.scale(APP, 3);
        sim.dropStreams();
        sim.setEventsSuppressed(false);

        awaitRoutedAsRunning(sim);
        assertThat(addresses()).hasSize(3);
    }

    @Test
    void malformedEventTriggersAFullSnapshot() {
        MarathonSimulator sim = routing(1, c -> c);
        long syncs = discovery.state().fullSyncs();

        sim.setEventsSuppressed(true);
        sim.scale(APP, 2);
        sim.setEventsSuppressed(false);
        sim.sendMalformedEvent();

        awaitRoutedAsRunning(sim);
        assertThat(addresses()).hasSize(2);
        assertThat(discovery.state().fullSyncs()).isGreaterThan(syncs);
        assertThat(discovery.state().connected()).isTrue();
    }

    @Test
    void unavailableMarathonLeavesTheTableAloneAndRecovers() {
        MarathonSimulator sim = routing(2, c -> c);
        RouteTable before = holder.current();
        AtomicInteger swaps = new AtomicInteger();
        holder.addListener(change -> swaps.incrementAndGet());

        sim.setAvailable(false);
        Await.until(DEADLINE, () -> !discovery.state().connected() && discovery.state().detail().contains("503"),
                this::describe);
        sim.setEventsSuppressed(true);
        sim.scale(APP, 3);
        sim.setEventsSuppressed(false);
        assertThat(holder.current()).isSameAs(before);
        assertThat(swaps).hasValue(0);

        sim.setAvailable(true);
        awaitRoutedAsRunning(sim);
        assertThat(addresses()).hasSize(3);
        Await.until(DEADLINE, () -> discovery.state().connected());
    }

    @Test
    void secondMarathonTakesOverWhenTheFirstDies() {
        List<MarathonSimulator> cluster = cluster(2, SimulatorOptions.defaults());
        MarathonSimulator first = cluster.get(0);
        MarathonSimulator second = cluster.get(1);
        first.createApp(APP, 1, Map.of(), false);
        start(MarathonConfig.builder(List.of(first.uri(), second.uri()))
                .backoff(Duration.ofMillis(10), Duration.ofMillis(100)));
        awaitRoutedAsRunning(first);

        first.close();
        assertThat(second.isLeader()).isTrue();
        second.scale(APP, 2);

        awaitRoutedAsRunning(second);
        assertThat(addresses()).hasSize(2);
        Await.until(DEADLINE, () -> discovery.state().connected()
                && discovery.state().source().equals(second.uri().toString()), this::describe);
    }

    @Test
    void standbyRedirectsToTheLeaderAndCredentialsFollow() {
        List<MarathonSimulator> cluster = cluster(2, SimulatorOptions.builder().basicAuth("lb", "s3cret").build());
        MarathonSimulator leader = cluster.get(0);
        MarathonSimulator standby = cluster.get(1);
        leader.createApp(APP, 2, Map.of(), false);

        start(MarathonConfig.builder(List.of(standby.uri())).basicAuth("lb", "s3cret")
                .backoff(Duration.ofMillis(10), Duration.ofMillis(100)));

        awaitRoutedAsRunning(leader);
        Await.until(DEADLINE, () -> leader.openEventStreams() == 1, this::describe);
        assertThat(standby.openEventStreams()).isZero();
        assertThat(discovery.state().source()).isEqualTo(leader.uri().toString());
        leader.scale(APP, 3);
        awaitRoutedAsRunning(leader);
    }

    @Test
    void wrongCredentialsAreReportedAndNothingIsPublished() {
        MarathonSimulator sim = simulator(SimulatorOptions.builder().basicAuth("lb", "s3cret").build());
        sim.createApp(APP, 1, Map.of(), false);

        start(MarathonConfig.builder(List.of(sim.uri())).basicAuth("lb", "wrong")
                .backoff(Duration.ofMillis(10), Duration.ofMillis(100)));

        Await.until(DEADLINE, () -> String.valueOf(discovery.state().detail()).contains("401"), this::describe);
        assertThat(holder.current().routes()).isEmpty();
        assertThat(discovery.state().synced()).isFalse();
    }

    @Test
    void stalledStreamIsReopenedAfterTheReadIdleTimeout() {
        MarathonSimulator sim = routing(1, c -> c.readIdleTimeout(Duration.ofMillis(300))
                .resyncInterval(Duration.ofHours(1)));

        sim.stallStreams(true);
        sim.scale(APP, 2);

        awaitRoutedAsRunning(sim);
        assertThat(addresses()).hasSize(2);
        assertThat(discovery.state().detail()).contains("no data on the event stream");
    }

    @Test
    void rollingRestartNeverEmptiesTheRoute() {
        MarathonSimulator sim = simulator(SimulatorOptions.builder().healthCheckDelay(Duration.ofMillis(50))
                .killGrace(Duration.ofMillis(50)).build());
        sim.createApp(APP, 3, Map.of(), true);
        start(config(sim));
        awaitRouted(sim, MarathonDiscoverySimulatorTest::healthy, 3);
        List<String> before = addresses();
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        holder.addListener(change -> sizes.add(size(change.current().lookup(HOST))));

        sim.rollingRestart(APP);

        // The holder publishes a table before telling its listeners: wait for the listener too.
        Await.until(DEADLINE, () -> addresses().size() == 3 && addresses().stream().noneMatch(before::contains)
                && !sizes.isEmpty(), this::describe);
        assertThat(sizes).allMatch(n -> n > 0);
    }

    @Test
    void appDeletedIsDroppedAndAppCreatedLaterIsFound() {
        MarathonSimulator sim = routing(1, c -> c);

        sim.deleteApp(APP);
        Await.until(DEADLINE, () -> holder.current().lookup(HOST) == null, this::describe);

        sim.createApp("/team/api", 1, Map.of("MESOS_LB_VHOST", "api.example.org"), false);
        Await.until(DEADLINE, () -> size(holder.current().lookup("api.example.org")) == 1, this::describe);
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** A simulator with {@code instances} tasks of {@link #APP} (no checks), routed by a started discovery. */
    private MarathonSimulator routing(int instances, UnaryOperator<MarathonConfig.Builder> config) {
        MarathonSimulator sim = simulator(SimulatorOptions.defaults());
        sim.createApp(APP, instances, Map.of(), false);
        start(config.apply(config(sim)));
        awaitRoutedAsRunning(sim);
        return sim;
    }

    private MarathonSimulator simulator(SimulatorOptions options) {
        MarathonSimulator sim = MarathonSimulator.start(options);
        closeables.add(sim);
        return sim;
    }

    private List<MarathonSimulator> cluster(int n, SimulatorOptions options) {
        List<MarathonSimulator> members = MarathonSimulator.startCluster(n, options);
        closeables.addAll(members);
        return members;
    }

    private static MarathonConfig.Builder config(MarathonSimulator sim) {
        return MarathonConfig.builder(List.of(sim.uri())).backoff(Duration.ofMillis(10), Duration.ofMillis(100));
    }

    private void start(MarathonConfig.Builder config) {
        discovery = new MarathonDiscovery(config.build(), holder);
        discovery.start();
    }

    /** Waits until the route holds exactly the simulator's running tasks (for apps without checks). */
    private void awaitRoutedAsRunning(MarathonSimulator sim) {
        Await.until(DEADLINE, () -> {
            List<String> expected = running(sim, t -> true);
            return !expected.isEmpty() && addresses().equals(expected);
        }, this::describe);
    }

    /** Waits until the route holds exactly the {@code count} running tasks that pass the filter. */
    private void awaitRouted(MarathonSimulator sim, Predicate<SimTask> filter, int count) {
        Await.until(DEADLINE, () -> {
            List<String> expected = running(sim, filter);
            return expected.size() == count && addresses().equals(expected);
        }, this::describe);
    }

    private static boolean healthy(SimTask t) {
        return Boolean.TRUE.equals(t.alive());
    }

    private void awaitAddresses(List<String> expected) {
        awaitAddresses(HOST, expected);
    }

    private void awaitAddresses(String host, List<String> expected) {
        Await.until(DEADLINE, () -> addresses(host).equals(expected.stream().sorted().toList()),
                () -> expected + " at " + host + " but " + describe());
    }

    private static List<String> running(MarathonSimulator sim, Predicate<SimTask> filter) {
        return sim.tasks(APP).stream().filter(t -> t.state().equals("TASK_RUNNING")).filter(filter)
                .map(MarathonDiscoverySimulatorTest::address).sorted().toList();
    }

    private static String address(SimTask t) {
        return t.host() + ":" + t.port();
    }

    private List<String> addresses() {
        return addresses(HOST);
    }

    private List<String> addresses(String host) {
        Route route = holder.current().lookup(host);
        return route == null ? List.of()
                : route.backends().stream().map(BackendState::backend).map(Backend::address).sorted().toList();
    }

    private static int size(Route route) {
        return route == null ? 0 : route.size();
    }

    private String describe() {
        return "table " + holder.current() + " / " + addresses() + ", discovery " + discovery.state();
    }

}
