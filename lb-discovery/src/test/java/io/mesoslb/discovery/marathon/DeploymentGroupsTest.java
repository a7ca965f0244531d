package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.App;
import io.mesoslb.core.Backend;
import io.mesoslb.discovery.OutOfRotation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Blue-green deployment groups, on marathon-lb's own zdd fixtures and on hand-made switches. */
class DeploymentGroupsTest {
    private final RoutingPolicy policy = new RoutingPolicy(new HealthVerdicts());

    private static List<String> addresses(App app) {
        return app.backends().stream().map(b -> b.host() + ":" + b.port()).toList();
    }

    @Test
    void zddAppsServeAsOneRouteNamedAfterTheGroupWithOneOldTaskDraining() throws Exception {
        List<App> apps = policy.apps(MarathonLbFixtures.apps("zdd_apps.json"));

        // As marathon-lb's test_zdd_app: green (older) leads, blue's one healthy task drains one green
        // task, the first by id (nginx-green.0dbabba6..., 10.0.6.25:31184), which marathon-lb disables.
        assertThat(apps).singleElement().satisfies(app -> {
            assertThat(app.id()).isEqualTo("/nginx");
            assertThat(app.spec().groups()).containsExactly("external");
            assertThat(addresses(app)).containsExactlyInAnyOrder("10.0.1.147:25724", "10.0.6.25:16916",
                    "10.0.6.25:23336");
            assertThat(app.backends()).extracting(Backend::appId).containsOnly("/nginx");
        });
    }

    @Test
    void aLoneMemberOfAGroupIsRoutedUnderTheGroupsName() throws Exception {
        for (String file : List.of("zdd_app_blue.json", "zdd_app_blue_marathon1.5.json")) {
            List<App> apps = policy.apps(MarathonLbFixtures.apps(file));
            assertThat(apps).singleElement().satisfies(app -> {
                assertThat(app.id()).isEqualTo("/nginx");
                assertThat(addresses(app)).containsExactlyInAnyOrder("10.0.6.25:16916", "10.0.6.25:31184",
                        "10.0.6.25:23336");
            });
        }
    }

    @Test
    void theOlderColoursLabelsDecideHowTheGroupIsRouted() throws Exception {
        List<MarathonApp> fixture = MarathonLbFixtures.apps("zdd_apps.json");
        List<MarathonApp> relabelled = new ArrayList<>();
        for (MarathonApp app : fixture) {
            Map<String, String> labels = new java.util.HashMap<>(app.labels());
            labels.put("HAPROXY_0_VHOST", app.id().substring(1) + ".example.com");
            relabelled.add(relabel(app, labels));
        }
        assertThat(policy.apps(relabelled)).singleElement()
                .satisfies(app -> assertThat(app.spec().vhosts()).containsExactly("nginx-green.example.com"));
    }

    @Test
    void oldTasksDrainAsNewOnesTurnHealthyButNeverBelowTheTarget() {
        // blue (old) runs 3; green (new) is scaled up one healthy task at a time; target 3.
        MarathonApp blue = app("/web-blue", "2026-01-01T10:00:00", 3, 3, "b");
        for (int healthyGreen = 0; healthyGreen <= 3; healthyGreen++) {
            MarathonApp green = app("/web-green", "2026-01-02T10:00:00", 3, healthyGreen, "g");
            App merged = policy.apps(List.of(green, blue)).get(0);
            assertThat(merged.id()).isEqualTo("/web");
            List<String> tasks = merged.backends().stream().map(Backend::taskId).toList();
            // min(old tasks, healthy new, healthy new + old instances - target)
            assertThat(tasks).filteredOn(t -> t.startsWith("b")).hasSize(3 - healthyGreen);
            assertThat(tasks).filteredOn(t -> t.startsWith("g")).hasSize(healthyGreen);
            if (healthyGreen > 0) {
                assertThat(tasks).doesNotContain("b.0"); // the first by id drains first
                assertThat(policy.outOfRotation().get("/web")).filteredOn(t -> t.taskId().equals("b.0"))
                        .extracting(OutOfRotation::state).containsExactly(OutOfRotation.DRAINING);
            }
        }
        // zdd.py kills the drained blue task (scale=true: blue now asks for 2): with one healthy green
        // the remaining two blue keep serving, so three tasks serve as the target says.
        MarathonApp shrunk = app("/web-blue", "2026-01-01T10:00:00", 2, 2, "b");
        App merged = policy.apps(List.of(app("/web-green", "2026-01-02T10:00:00", 3, 1, "g"), shrunk)).get(0);
        assertThat(merged.backends()).hasSize(3);
    }

    /** An app of the group {@code web} with {@code tasks} running tasks, {@code ids.0} ... */
    private static MarathonApp app(String id, String startedAt, int instances, int tasks, String ids) {
        List<MarathonTask> list = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            list.add(new MarathonTask(ids + "." + i, id, "10.0.0." + (ids.equals("b") ? 1 : 2), List.of(31_000 + i),
                    List.of(), MarathonTask.RUNNING, null));
        }
        Map<String, String> labels = Map.of("HAPROXY_DEPLOYMENT_GROUP", "web", "HAPROXY_DEPLOYMENT_STARTED_AT", startedAt,
                "HAPROXY_DEPLOYMENT_TARGET_INSTANCES", "3");
        return new MarathonApp(id, labels, NetworkMode.HOST, 0, List.of(), false, List.of(), 0, list, instances);
    }

    private static MarathonApp relabel(MarathonApp a, Map<String, String> labels) {
        return new MarathonApp(a.id(), labels, a.networkMode(), a.portIndex(), a.definedPorts(), a.requirePorts(),
                a.containerPorts(), a.healthChecks(), a.tasks(), a.instances());
    }
}
