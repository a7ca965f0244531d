package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.Backend;
import io.mesoslb.core.BackendState;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.discovery.DiscoveryState;
import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.LoopbackPort;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** MarathonDiscovery against {@link FakeMarathon}: connect order, events, resync, failover, liveness. */
class MarathonDiscoveryTest {
    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static final String HOST = "web.example.com";

    private final RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"));
    private final AtomicReference<String> apps = new AtomicReference<>(apps(task("web.1", 31001)));
    private FakeMarathon marathon;
    private MarathonDiscovery discovery;

    @AfterEach
    void tearDown() {
        if (discovery != null) {
            discovery.close();
        }
        if (marathon != null) {
            marathon.close();
        }
    }

    @Test
    void opensTheStreamBeforeTakingTheSnapshot() throws IOException {
        start(config(marathon()));

        awaitAddresses("h:31001");
        List<String> paths = marathon.requests().stream().map(FakeMarathon.Request::target).toList();
        assertThat(paths.get(0)).startsWith("/v2/events?");
        assertThat(paths.get(1)).isEqualTo("/v2/apps?embed=apps.tasks");
        assertThat(discovery.state().synced()).isTrue();
        assertThat(discovery.state().connected()).isTrue();
        assertThat(discovery.state().source()).isEqualTo(marathon.uri().toString());
    }

    @Test
    void anEventSentWithTheStreamsHeadIsAppliedAfterTheSnapshot() throws IOException {
        // The event is in the client's hands before the snapshot is even asked for; applied first, the snapshot
        // (which lacks web.2) would take it away again.
        FakeMarathon m = marathon();
        m.handler(r -> r.path().equals("/v2/events") ? FakeMarathon.stream() + "event: status_update_event\r\ndata: "
                + status("web.2", "TASK_RUNNING", 31002) + "\r\n\r\n" : serve(r));
        start(config(m));

        awaitAddresses("h:31001", "h:31002");
        assertThat(discovery.state().events()).isEqualTo(1);
    }

    @Test
    void eventsUpdateTheTableWithoutASnapshot() throws IOException {
        start(config(marathon()));
        awaitAddresses("h:31001");
        int snapshots = snapshots();

        marathon.event("status_update_event", status("web.2", "TASK_RUNNING", 31002));
        awaitAddresses("h:31001", "h:31002");
        marathon.event("status_update_event", status("web.1", "TASK_KILLING", 31001));
        awaitAddresses("h:31002");

        assertThat(snapshots()).isEqualTo(snapshots);
        assertThat(discovery.state().events()).isEqualTo(2);
        assertThat(discovery.state().lastEvent()).isNotNull();
    }

    @Test
    void heartbeatsAreContactWithoutBeingEvents() throws IOException {
        start(config(marathon()));
        awaitAddresses("h:31001");
        DiscoveryState synced = discovery.state();
        assertThat(synced.lastContact()).isEqualTo(synced.lastSync());

        // Marathon's heartbeat is a blank line every 10 s: a quiet cluster is not a stale balancer.
        Await.until(DEADLINE, () -> {
            marathon.write("\r\n");
            return discovery.state().lastContact().isAfter(synced.lastContact());
        }, "contact advances on heartbeats");
        assertThat(discovery.state().lastEvent()).isNull();
        assertThat(discovery.state().lastSync()).isEqualTo(synced.lastSync());
        assertThat(discovery.state().events()).isZero();
    }

    @Test
    void aBurstOfEventsReadTogetherIsOneTableUpdate() throws IOException {
        start(config(marathon()).coalesce(Duration.ofSeconds(1)));
        awaitAddresses("h:31001");
        long swaps = holder.swaps();

        marathon.write(IntStream.range(2, 52).mapToObj(i -> "event: status_update_event\r\ndata: "
                + status("web." + i, "TASK_RUNNING", 31000 + i) + "\r\n\r\n").collect(Collectors.joining()));

        Await.until(DEADLINE, () -> addresses().size() == 51);
        // One table if the 50 events were read at once; two if the stream's read split them (the rest waits
        // for the window): never one table per event.
        assertThat(holder.swaps()).isBetween(swaps + 1, swaps + 2);
    }

    @Test
    void aLoneEventIsRoutedWithoutWaitingForTheWindow() throws IOException {
        // The window bounds how often events swap the table; a change after a quiet spell goes out at once.
        start(config(marathon()).coalesce(Duration.ofHours(1)));
        awaitAddresses("h:31001");

        marathon.event("status_update_event", status("web.2", "TASK_RUNNING", 31002));

        awaitAddresses("h:31001", "h:31002");
    }

    @Test
    void anEventFindingTheReducerIdleIsAppliedAndPublishedOnTheThreadThatReadIt() throws IOException {
        start(config(marathon()));
        awaitAddresses("h:31001");
        Await.until(DEADLINE, discovery::reducerIdle, "the snapshot's task over");
        List<String> publishedOn = new CopyOnWriteArrayList<>();
        holder.addListener(change -> publishedOn.add(Thread.currentThread().getName()));

        marathon.event("status_update_event", status("web.2", "TASK_RUNNING", 31002));

        awaitAddresses("h:31001", "h:31002");
        // Not the reducer's thread, which was not woken: the event stream's (its HTTP client's selector).
        assertThat(publishedOn).hasSize(1).noneMatch(name -> name.startsWith("marathon-discovery"));
    }

    @Test
    void eventsSoonAfterAPublicationWaitTogetherForTheWindowsEnd() throws IOException {
        // Long enough that the two events surely reach the reducer within it, even on a loaded machine.
        Duration window = Duration.ofSeconds(5);
        start(config(marathon()).coalesce(window));
        awaitAddresses("h:31001");
        List<Long> swappedAt = new CopyOnWriteArrayList<>();
        holder.addListener(change -> swappedAt.add(System.nanoTime()));

        marathon.event("status_update_event", status("web.2", "TASK_RUNNING", 31002));
        awaitAddresses("h:31001", "h:31002");
        marathon.event("status_update_event", status("web.3", "TASK_RUNNING", 31003));
        marathon.event("status_update_event", status("web.1", "TASK_KILLING", 31001));

        awaitAddresses("h:31002", "h:31003");
        assertThat(swappedAt).hasSize(2);
        // A lower bound only: the scheduler cannot run the second publication before the window ends.
        assertThat(swappedAt.get(1) - swappedAt.get(0)).isGreaterThanOrEqualTo(window.toNanos());
    }

    @Test
    void malformedRoutingEventTriggersAFullSnapshot() throws IOException {
        start(config(marathon()));
        awaitAddresses("h:31001");
        int snapshots = snapshots();
        apps.set(apps(task("web.1", 31001) + "," + task("web.3", 31003)));

        marathon.event("status_update_event", "{\"taskId\": ");

        awaitAddresses("h:31001", "h:31003");
        assertThat(snapshots()).isEqualTo(snapshots + 1);
    }

    @Test
    void unknownAppIsFetchedOnItsOwn() throws IOException {
        start(config(marathon()));
        awaitAddresses("h:31001");
        int snapshots = snapshots();

        marathon.event("status_update_event", """
                {"appId":"/other","taskId":"other.1","taskStatus":"TASK_RUNNING","host":"h","ports":[32001]}""");

        Await.until(DEADLINE, () -> holder.current().lookup("other.example.com") != null);
        assertThat(addresses(holder.current().lookup("other.example.com"))).containsExactly("h:32001");
        assertThat(marathon.requests()).extracting(FakeMarathon.Request::target).contains("/v2/apps/other?embed=app.tasks");
        assertThat(snapshots()).isEqualTo(snapshots);
    }

    @Test
    void leaderNamedByTheStreamsResponseShowsInTheState() throws IOException {
        // Every response of a Marathon leader names it; on a 200 it is not a place to go, just what to report.
        FakeMarathon m = marathon();
        m.handler(r -> r.path().equals("/v2/events") ? FakeMarathon.stream("X-Marathon-Leader: http://10.0.0.7:8080")
                : serve(r));
        start(config(m));

        awaitAddresses("h:31001");
        assertThat(discovery.state().connected()).isTrue();
        assertThat(discovery.state().source()).isEqualTo(m.uri().toString());
        assertThat(discovery.state().detail()).startsWith("streaming from " + m.uri() + " (leader http://10.0.0.7:8080)");
    }

    @Test
    void silentStreamIsDroppedAfterTheIdleTimeoutAndReopened() throws IOException {
        start(config(marathon()).readIdleTimeout(Duration.ofMillis(300)));
        awaitAddresses("h:31001");

        Await.until(DEADLINE, () -> eventStreams() >= 2, () -> "a reconnect, requests: " + marathon.requests());
        assertThat(discovery.state().detail()).contains("no data on the event stream");
    }

    @Test
    void unreachableMarathonLeavesTheTableAloneUntilItIsBack() throws IOException {
        start(config(marathon()));
        awaitAddresses("h:31001");
        RouteTable before = holder.current();

        marathon.handler(r -> FakeMarathon.response(503, "text/plain", "Could not determine the current leader"));
        marathon.closeStreams();
        Await.until(DEADLINE, () -> !discovery.state().connected() && eventStreams() >= 3,
                () -> "failed reconnects: " + discovery.state());
        assertThat(holder.current()).isSameAs(before);
        assertThat(discovery.state().detail()).contains("503");

        apps.set(apps(task("web.4", 31004)));
        marathon.handler(this::serve);
        awaitAddresses("h:31004");
        Await.until(DEADLINE, () -> discovery.state().connected());
    }

    @Test
    void failedSnapshotDropsTheStreamAndRetries() throws IOException {
        FakeMarathon m = marathon();
        AtomicReference<Boolean> snapshotFails = new AtomicReference<>(true);
        m.handler(r -> r.target().startsWith("/v2/apps") && snapshotFails.get()
                ? FakeMarathon.response(500, "text/plain", "boom") : serve(r));
        start(config(m));

        Await.until(DEADLINE, () -> eventStreams() >= 2, () -> "a reconnect, requests: " + m.requests());
        assertThat(holder.current().routes()).isEmpty();
        assertThat(discovery.state().synced()).isFalse();

        snapshotFails.set(false);
        awaitAddresses("h:31001");
    }

    @Test
    void nextUrlIsUsedWhenTheFirstIsDown() throws IOException {
        try (LoopbackPort down = LoopbackPort.refusing()) {
            URI dead = URI.create("http://127.0.0.1:" + down.port());
            FakeMarathon m = marathon();
            start(MarathonConfig.builder(List.of(dead, m.uri())).backoff(Duration.ofMillis(10), Duration.ofMillis(50)));

            awaitAddresses("h:31001");
            assertThat(discovery.state().source()).isEqualTo(m.uri().toString());
            assertThat(discovery.state().detail()).contains("ConnectException");
        }
    }

    @Test
    void periodicSnapshotRepairsWhatEventsMissed() throws IOException {
        start(config(marathon()).resyncInterval(Duration.ofMillis(100)));
        awaitAddresses("h:31001");

        apps.set(apps(task("web.5", 31005)));

        awaitAddresses("h:31005");
        assertThat(eventStreams()).isEqualTo(1);
    }

    @Test
    void aStreamThatWorkedIsReopenedAtTheSameUrl() throws IOException {
        FakeMarathon first = marathon();
        try (FakeMarathon second = new FakeMarathon(this::serve)) {
            start(MarathonConfig.builder(List.of(first.uri(), second.uri())).stableAfter(Duration.ZERO)
                    .backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
            awaitAddresses("h:31001");

            first.closeStreams();

            Await.until(DEADLINE, () -> eventStreams() == 2, () -> "a reconnect to the first URL: " + first.requests());
            assertThat(second.requests()).isEmpty();
        }
    }

    @Test
    void aStreamThatEndsAtOnceMovesOnToTheNextUrl() throws IOException {
        FakeMarathon first = marathon();
        try (FakeMarathon second = new FakeMarathon(this::serve)) {
            start(MarathonConfig.builder(List.of(first.uri(), second.uri())).stableAfter(Duration.ofHours(1))
                    .backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
            awaitAddresses("h:31001");

            first.closeStreams();

            Await.until(DEADLINE, () -> discovery.state().connected()
                    && discovery.state().source().equals(second.uri().toString()), () -> "moved: " + discovery.state());
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private FakeMarathon marathon() throws IOException {
        marathon = new FakeMarathon(this::serve);
        return marathon;
    }

    private String serve(FakeMarathon.Request r) {
        if (r.path().equals("/v2/events")) {
            return null;
        }
        if (r.target().equals("/v2/apps?embed=apps.tasks")) {
            return FakeMarathon.json(apps.get());
        }
        if (r.target().equals("/v2/apps/other?embed=app.tasks")) {
            return FakeMarathon.json("{\"app\":{\"id\":\"/other\",\"tasks\":[{\"id\":\"other.1\",\"host\":\"h\","
                    + "\"ports\":[32001],\"state\":\"TASK_RUNNING\"}]}}");
        }
        return FakeMarathon.response(404, "application/json", "{}");
    }

    private MarathonConfig.Builder config(FakeMarathon m) {
        return MarathonConfig.builder(List.of(m.uri())).backoff(Duration.ofMillis(10), Duration.ofMillis(100));
    }

    private void start(MarathonConfig.Builder config) {
        discovery = new MarathonDiscovery(config.build(), holder);
        discovery.start();
    }

    private int snapshots() {
        return (int) marathon.requests().stream().filter(r -> r.target().equals("/v2/apps?embed=apps.tasks")).count();
    }

    private int eventStreams() {
        return (int) marathon.requests().stream().filter(r -> r.path().equals("/v2/events")).count();
    }

    private void awaitAddresses(String... expected) {
        List<String> want = List.of(expected);
        Await.until(DEADLINE, () -> addresses().equals(want), () -> want + " but routes are " + holder.current()
                + ", state " + (discovery == null ? null : discovery.state()));
    }

    private List<String> addresses() {
        return addresses(holder.current().lookup(HOST));
    }

    private static List<String> addresses(Route route) {
        return route == null ? List.of()
                : route.backends().stream().map(BackendState::backend).map(Backend::address).sorted().toList();
    }

    private static String apps(String tasks) {
        return "{\"apps\":[{\"id\":\"/web\",\"tasks\":[" + tasks + "]}]}";
    }

    private static String task(String id, int port) {
        return "{\"id\":\"" + id + "\",\"host\":\"h\",\"ports\":[" + port + "],\"state\":\"TASK_RUNNING\"}";
    }

    private static String status(String taskId, String status, int port) {
        return "{\"eventType\":\"status_update_event\",\"appId\":\"/web\",\"taskId\":\"" + taskId
                + "\",\"taskStatus\":\"" + status + "\",\"host\":\"h\",\"ports\":[" + port + "],\"ipAddresses\":[]}";
    }
}
