package io.mesoslb.server;

import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.LoadLoop;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.TaskAnswers;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.discovery.marathon.MarathonConfig;
import io.mesoslb.discovery.marathon.MarathonDiscovery;
import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.MarathonSimulator;
import io.mesoslb.testkit.SimTask;
import io.mesoslb.testkit.SimulatorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A blue-green switch as marathon-lb's zdd.py drives it, through the simulated Marathon,
 * MarathonDiscovery and the proxy: the two colours share {@code HAPROXY_DEPLOYMENT_GROUP}, green is
 * scaled up one task at a time, and each blue task the balancer drains is then killed with
 * {@code scale=true}, until blue is deleted. Clients sending back to back throughout must see no
 * failure and no 503.
 */
class ZddBlueGreenTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String HOST = "web." + ProxyFixture.DOMAIN;
    private static final String BLUE = "/web-blue";
    private static final String GREEN = "/web-green";
    private static final int TARGET = 3;

    @RegisterExtension
    final Closer closer = new Closer();

    @Test
    void blueGreenSwitchUnderLoadLosesNoRequest() throws Exception {
        ProxyFixture proxy = closer.use(new ProxyFixture());
        // A killed task serves until the balancer has drained it, however long that takes on a busy machine.
        MarathonSimulator sim = closer.use(MarathonSimulator.start(SimulatorOptions.builder()
                .healthCheckDelay(Duration.ofMillis(200)).killGrace(Duration.ofMillis(500))
                .killGate(task -> TaskAnswers.drained(proxy, HOST, task)).build()));
        sim.createApp(BLUE, TARGET, colour("blue", "2026-12-06T10:00:00.000000"), true);
        closer.use(new MarathonDiscovery(MarathonConfig.builder(List.of(sim.uri()))
                .backoff(Duration.ofMillis(10), Duration.ofMillis(200)).build(), proxy.routes)).start();
        List<String> blue = running(sim, BLUE);
        TaskAnswers.awaitExactly(proxy.client, proxy.request(HOST, "/").GET().build(), blue, WAIT);

        try (LoadLoop load = LoadLoop.start(4, Duration.ofSeconds(60), proxy.client,
                () -> proxy.request(HOST, "/").GET().build())) {
            Await.until(WAIT, () -> load.completed() > 100, "load running");
            sim.createApp(GREEN, 1, colour("green", "2026-12-06T11:00:00.000000"), true);
            for (int green = 1; green <= TARGET; green++) {
                if (green > 1) {
                    sim.scale(GREEN, green);
                }
                int healthyGreen = green;
                // Each healthy green task drains one blue task (never leaving fewer than the target serving).
                Await.until(WAIT, () -> routedOf(proxy, GREEN, sim).size() == healthyGreen
                                && routedOf(proxy, BLUE, sim).size() == TARGET - healthyGreen,
                        () -> "routed " + TaskAnswers.routed(proxy.routes, HOST) + " with " + healthyGreen + " green");
                List<String> drained = new ArrayList<>(running(sim, BLUE));
                drained.removeAll(TaskAnswers.routed(proxy.routes, HOST));
                assertThat(drained).hasSize(1);
                long before = load.completed();
                Await.until(WAIT, () -> load.completed() > before + 50, "load while draining");
                sim.killTask(drained.get(0), true);
            }
            Await.until(WAIT, () -> running(sim, BLUE).isEmpty(), "blue's tasks gone");
            sim.deleteApp(BLUE);
            long atEnd = load.completed();
            Await.until(WAIT, () -> load.completed() > atEnd + 100, "load after the switch");
            load.stop();

            assertThat(load.timedOut()).isFalse();
            assertThat(load.failures()).as("failed requests of " + load.completed()).isEmpty();
            List<String> green = running(sim, GREEN);
            assertThat(green).hasSize(TARGET);
            assertThat(TaskAnswers.routed(proxy.routes, HOST)).containsExactlyInAnyOrderElementsOf(green);
            assertThat(load.answeredBy()).containsAll(blue).containsAll(green);
            assertThat(proxy.routes.current().routeForApp("/web")).isNotNull();
        }
    }

    private static Map<String, String> colour(String colour, String startedAt) {
        return Map.of("HAPROXY_DEPLOYMENT_GROUP", "web", "HAPROXY_DEPLOYMENT_COLOUR", colour,
                "HAPROXY_DEPLOYMENT_STARTED_AT", startedAt,
                "HAPROXY_DEPLOYMENT_TARGET_INSTANCES", Integer.toString(TARGET));
    }

    private static List<String> routedOf(ProxyFixture proxy, String app, MarathonSimulator sim) {
        List<String> ids = new ArrayList<>(TaskAnswers.routed(proxy.routes, HOST));
        ids.retainAll(sim.tasks(app).stream().map(SimTask::id).toList());
        return ids;
    }

    private static List<String> running(MarathonSimulator sim, String app) {
        return sim.tasks(app).stream().filter(t -> t.state().equals("TASK_RUNNING")).map(SimTask::id).toList();
    }
}
