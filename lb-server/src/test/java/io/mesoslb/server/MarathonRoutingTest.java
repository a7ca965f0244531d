package io.mesoslb.server;

import static org.assertj.core.api.Assertions.assertThat;
import io.mesoslb.discovery.marathon.MarathonConfig;
import io.mesoslb.discovery.marathon.MarathonDiscovery;
import io.mesoslb.server.config.ServerConfig;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.LoadLoop;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.TaskAnswers;


import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.EmittedEvent;
import io.mesoslb.testkit.MarathonSimulator;
import io.mesoslb.testkit.SimTask;
import io.mesoslb.testkit.SimulatorOptions;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole path: the simulated Marathon's REST and event stream, MarathonDiscovery, the routing
 * table and the Netty proxy, with requests over loopback sockets. Every backend answers with its
 * task id, so a response says which task served it.
 */
class MarathonRoutingTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String APP = "/web";
    private static final String HOST = "web." + ProxyFixture.DOMAIN;
    /** Enough requests that with round robin over a handful of tasks each one would get several. */
    private static final int PROBES = 60;

    @RegisterExtension
    final Closer closer = new Closer();
    private ProxyFixture proxy;

    @Test
    void scaledUpTasksGetTraffic() throws Exception {
        MarathonSimulator sim = simulator(SimulatorOptions.defaults());
        sim.createApp(APP, 1, Map.of(), false);
        route(sim);
        awaitAnswering(taskIds(sim));

        sim.scale(APP, 3);

        List<String> all = taskIds(sim);
        assertThat(all).hasSize(3);
        awaitAnswering(all);
    }

    @Test
    void onlyAppsOfTheBalancersGroupsAreRouted() throws Exception {
        MarathonSimulator sim = simulator(SimulatorOptions.defaults());
        sim.createApp(APP, 1, Map.of("HAPROXY_GROUP", "external"), false);
        sim.createApp("/billing", 1, Map.of("HAPROXY_GROUP", "internal"), false);
        sim.createApp("/unlabelled", 1, Map.of(), false);
        route(b -> b.groups(List.of("external")), sim);
        awaitAnswering(taskIds(sim));

        for (String host : List.of("billing." + ProxyFixture.DOMAIN, "unlabelled." + ProxyFixture.DOMAIN)) {
            HttpResponse<String> r = proxy.get(host, "/");
            assertThat(r.statusCode()).as(host).isEqualTo(404);
            assertThat(r.body()).isEqualTo("no route for host " + host + "\n");
        }

        // Relabelled into the group: Marathon's api_post_event brings it in, no restart.
        sim.setLabels("/billing", Map.of("HAPROXY_GROUP", "internal,external"));
        Await.until(WAIT, () -> status("billing." + ProxyFixture.DOMAIN) == 200, "relabelled app routed");
    }

    @Test
    void killedTaskGetsNoRequestOnceItsKillingEventIsApplied() throws Exception {
        // A long grace: the killed task keeps answering, so a request routed to it would succeed and show.
        MarathonSimulator sim = simulator(SimulatorOptions.builder().killGrace(Duration.ofMinutes(5)).build());
        sim.createApp(APP, 3, Map.of(), false);
        route(sim);
        awaitAnswering(taskIds(sim));
        String victim = taskIds(sim).get(0);
        Set<String> killing = killingEvents(sim);

        sim.killTask(victim);

        assertThat(killing).contains(victim);
        assertNeverServedOnceUnrouted(sim, List.of(victim));
        assertThat(state(sim, victim)).as("still answering while TASK_KILLING").isEqualTo("TASK_KILLING");
    }

    @Test
    void scaledDownTasksGetNoRequestOnceTheirKillingEventsAreApplied() throws Exception {
        MarathonSimulator sim = simulator(SimulatorOptions.builder().killGrace(Duration.ofMinutes(5)).build());
        sim.createApp(APP, 4, Map.of(), false);
        route(sim);
        List<String> before = taskIds(sim);
        awaitAnswering(before);
        Set<String> killing = killingEvents(sim);

        sim.scale(APP, 2);

        // Marathon kills the youngest tasks first.
        List<String> victims = before.subList(2, 4);
        assertThat(killing).containsExactlyInAnyOrderElementsOf(victims);
        assertNeverServedOnceUnrouted(sim, victims);
    }

    @Test
    void failingHealthCheckRemovesATaskAndPassingRestoresIt() throws Exception {
        MarathonSimulator sim = simulator(SimulatorOptions.builder().healthCheckDelay(Duration.ofMillis(50)).build());
        sim.createApp(APP, 2, Map.of(), true);
        route(sim);
        List<String> ids = taskIds(sim);
        awaitAnswering(ids);
        String sick = ids.get(1);

        sim.setHealth(sick, false);
        assertNeverServedOnceUnrouted(sim, List.of(sick));

        sim.setHealth(sick, true);
        awaitAnswering(ids);
    }

    /**
     * A real ten-second outage (longer than Marathon's 10 s heartbeat, so the stream's silence is
     * noticed too): the proxy serves the last table throughout, and catches up with what changed
     * meanwhile once Marathon answers again.
     */
    @Test
    void marathonDownForTenSecondsLeavesTheLastTableServing() throws Exception {
        MarathonSimulator sim = simulator(SimulatorOptions.defaults());
        sim.createApp(APP, 2, Map.of(), false);
        route(sim);
        List<String> before = taskIds(sim);
        awaitAnswering(before);

        sim.setAvailable(false);
        long downUntil = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        sim.scale(APP, 3); // unseen by the proxy: nobody is connected, and reconnects get 503
        try (LoadLoop load = load(1)) {
            Await.until(Duration.ofSeconds(15), () -> System.nanoTime() - downUntil >= 0, "ten seconds passed");
            load.stop();
            assertThat(load.failures()).isEmpty();
            assertThat(load.completed()).isPositive();
            assertThat(load.answeredBy()).containsExactlyInAnyOrderElementsOf(before);
        }

        sim.setAvailable(true);

        awaitAnswering(taskIds(sim));
        assertThat(taskIds(sim)).hasSize(3);
    }

    @Test
    void secondMarathonIsUsedWhenTheLeaderDies() throws Exception {
        List<MarathonSimulator> cluster = MarathonSimulator.startCluster(2);
        MarathonSimulator first = cluster.get(0);
        MarathonSimulator second = closer.use(cluster.get(1));
        closer.use(first);
        first.createApp(APP, 1, Map.of(), false);
        route(first, second);
        awaitAnswering(taskIds(first));

        try (LoadLoop load = load(2)) {
            Await.until(WAIT, () -> load.completed() > 20, "load running");
            first.close();
            second.becomeLeader();
            long atFailover = load.completed();
            second.scale(APP, 2);
            awaitAnswering(taskIds(second));
            load.stop();
            assertThat(load.completed()).isGreaterThan(atFailover);
            assertThat(load.failures()).as("the proxy kept serving through the failover").isEmpty();
        }
        assertThat(taskIds(second)).hasSize(2);
    }

    /**
     * Marathon's rolling restart kills an old task only once a new one is healthy, and a killed task
     * keeps answering during its grace period. Removing tasks on TASK_KILLING, and only then, is what
     * makes the deployment invisible to clients: every request of several clients sending back to
     * back throughout must succeed.
     */
    @Test
    void rollingDeployUnderLoadFailsNoRequest() throws Exception {
        // A killed task serves until the balancer has drained it, however long that takes on a busy machine.
        MarathonSimulator sim = simulator(SimulatorOptions.builder().healthCheckDelay(Duration.ofMillis(200))
                .killGrace(Duration.ofMillis(500)).killGate(task -> TaskAnswers.drained(proxy, HOST, task)).build());
        sim.createApp(APP, 3, Map.of(), true);
        route(sim);
        List<String> old = taskIds(sim);
        awaitAnswering(old);
        AtomicBoolean deployed = new AtomicBoolean();
        sim.addEventListener(e -> {
            if (e.eventType().equals("deployment_success")) {
                deployed.set(true);
            }
        });

        try (LoadLoop load = load(4)) {
            Await.until(WAIT, () -> load.completed() > 100, "load running");
            sim.rollingRestart(APP);
            // Until the old backends are gone for good: their connections close at the end of the grace.
            Await.until(WAIT, () -> deployed.get() && taskIds(sim).stream().noneMatch(old::contains),
                    () -> "deployment done; tasks " + sim.tasks(APP));
            long atEnd = load.completed();
            Await.until(WAIT, () -> load.completed() > atEnd + 100, "load after the deployment");
            load.stop();

            assertThat(load.timedOut()).isFalse();
            assertThat(load.failures()).as("failed requests of " + load.completed()).isEmpty();
            List<String> now = taskIds(sim);
            assertThat(now).hasSize(3).doesNotContainAnyElementsOf(old);
            assertThat(load.answeredBy()).containsAll(old).containsAll(now);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private MarathonSimulator simulator(SimulatorOptions options) {
        return closer.use(MarathonSimulator.start(options));
    }

    /** A proxy whose table MarathonDiscovery keeps in step with these Marathons. */
    private void route(MarathonSimulator... marathons) {
        route(b -> b, marathons);
    }

    private void route(UnaryOperator<ServerConfig.Builder> settings, MarathonSimulator... marathons) {
        proxy = closer.use(new ProxyFixture(settings));
        List<URI> urls = Arrays.stream(marathons).map(MarathonSimulator::uri).toList();
        MarathonConfig config = MarathonConfig.builder(urls).backoff(Duration.ofMillis(10), Duration.ofMillis(200))
                .build();
        closer.use(new MarathonDiscovery(config, proxy.routes)).start();
    }

    private LoadLoop load(int threads) {
        return LoadLoop.start(threads, Duration.ofSeconds(45), proxy.client,
                () -> proxy.request(HOST, "/").GET().build());
    }

    private String get() throws Exception {
        HttpResponse<String> response = proxy.get(HOST, "/");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    /** Waits until requests through the proxy reach exactly these tasks (each of them, no other). */
    private void awaitAnswering(List<String> taskIds) throws Exception {
        TaskAnswers.awaitExactly(proxy.client, proxy.request(HOST, "/").GET().build(), taskIds, WAIT);
    }

    /**
     * Once the table no longer routes to the victims (their event was applied), a stream of requests
     * never reaches them; checked both by the answers and by the backends' own request counts.
     */
    private void assertNeverServedOnceUnrouted(MarathonSimulator sim, List<String> victims) throws Exception {
        Await.until(WAIT, () -> routed().stream().noneMatch(victims::contains), () -> "unrouted " + victims);
        Map<String, Integer> servedBefore = new HashMap<>();
        victims.forEach(v -> servedBefore.put(v, sim.requestsServedBy(v)));
        for (int i = 0; i < PROBES; i++) {
            assertThat(get()).isNotIn(victims);
        }
        victims.forEach(v -> assertThat(sim.requestsServedBy(v)).as(v).isEqualTo(servedBefore.get(v)));
    }

    private List<String> routed() {
        return TaskAnswers.routed(proxy.routes, HOST);
    }

    /** Task ids whose TASK_KILLING status update the simulator emitted from now on. */
    private static Set<String> killingEvents(MarathonSimulator sim) {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        sim.addEventListener((EmittedEvent e) -> {
            if (e.eventType().equals("status_update_event") && e.json().contains("\"taskStatus\":\"TASK_KILLING\"")) {
                int at = e.json().indexOf("\"taskId\":\"") + "\"taskId\":\"".length();
                ids.add(e.json().substring(at, e.json().indexOf('"', at)));
            }
        });
        return ids;
    }

    /** Ids of the app's tasks that are running (not being killed), in launch order. */
    private int status(String host) {
        try {
            return proxy.get(host, "/").statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static List<String> taskIds(MarathonSimulator sim) {
        return sim.tasks(APP).stream().filter(t -> t.state().equals("TASK_RUNNING")).map(SimTask::id).toList();
    }

    private static String state(MarathonSimulator sim, String taskId) {
        return sim.tasks(APP).stream().filter(t -> t.id().equals(taskId)).map(SimTask::state).findFirst()
                .orElse("gone");
    }
}
