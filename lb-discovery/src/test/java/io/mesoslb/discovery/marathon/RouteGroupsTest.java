package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.App;
import io.mesoslb.core.Backend;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Which source groups a change publishes, and that they add up to the table built from scratch. */
class RouteGroupsTest {
    private static final String NGINX = RouteGroups.DEPLOYMENT_PREFIX + "/nginx";

    private final MarathonState state = new MarathonState();
    private final RoutingPolicy policy = new RoutingPolicy(new HealthVerdicts());
    private final RouteGroups groups = new RouteGroups(policy);

    @Test
    void anAppsChangePublishesOnlyItsGroup() {
        Map<String, List<App>> first = sync(app("/a", Map.of(), 1), app("/b", Map.of(), 2), app("/c", Map.of(), 3));
        assertThat(first).containsOnlyKeys("/a", "/b", "/c");

        state.replace(app("/b", Map.of(), 2, 4));
        Map<String, List<App>> changed = groups.changed(state, state.drainChanged());

        assertThat(changed).containsOnlyKeys("/b");
        assertThat(changed.get("/b")).singleElement().satisfies(app -> assertThat(ports(app)).containsExactly(2, 4));
    }

    @Test
    void aSnapshotThatChangesNothingPublishesNothing() {
        sync(app("/a", Map.of(), 1), app("/b", Map.of(), 2));

        assertThat(sync(app("/a", Map.of(), 1), app("/b", Map.of(), 2))).isEmpty();
        assertThat(sync(app("/a", Map.of(), 1), app("/b", Map.of(), 5))).containsOnlyKeys("/b");
        // An app gone from the snapshot is published as an empty group.
        assertThat(sync(app("/a", Map.of(), 1))).containsExactly(Map.entry("/b", List.of()));
    }

    @Test
    void anEventOnAnAppThatChangesNothingPublishesNothing() {
        sync(app("/a", Map.of(), 1));
        state.replace(app("/a", Map.of(), 1));

        assertThat(state.drainChanged()).isEmpty();
        assertThat(groups.changed(state, List.of("/a"))).isEmpty();
    }

    @Test
    void blueGreenColoursArePublishedAsOneGroupWhicheverChanges() {
        Map<String, String> blue = colour("2024-01-01T00:00:00");
        Map<String, String> green = colour("2024-02-01T00:00:00");
        Map<String, List<App>> first = sync(app("/nginx-blue", blue, 1, 2), app("/nginx-green", green, 3),
                app("/other", Map.of(), 9));
        assertThat(first).containsOnlyKeys(NGINX, "/other");
        assertThat(first.get(NGINX)).singleElement().satisfies(app -> {
            assertThat(app.id()).isEqualTo("/nginx");
            assertThat(ports(app)).containsExactlyInAnyOrder(1, 2, 3);
        });

        // The new colour's second task: the merged route, once, with both colours' tasks.
        state.replace(app("/nginx-green", green, 3, 4));
        Map<String, List<App>> changed = groups.changed(state, state.drainChanged());
        assertThat(changed).containsOnlyKeys(NGINX);
        assertThat(changed.get(NGINX)).singleElement().satisfies(app -> {
            assertThat(app.id()).isEqualTo("/nginx");
            assertThat(app.backends()).extracting(Backend::appId).containsOnly("/nginx");
            assertThat(ports(app)).contains(3, 4);
        });
        assertThat(changed.get(NGINX)).isEqualTo(policy.apps(state.apps()).stream()
                .filter(a -> a.id().equals("/nginx")).toList());

        // The old colour goes: the group keeps the new colour's tasks.
        state.remove("/nginx-blue");
        changed = groups.changed(state, state.drainChanged());
        assertThat(changed).containsOnlyKeys(NGINX);
        assertThat(changed.get(NGINX)).singleElement().satisfies(app -> assertThat(ports(app)).containsExactly(3, 4));

        // Green drops its deployment label: the group is emptied and the app is its own group.
        state.replace(app("/nginx-green", Map.of(), 3, 4));
        changed = groups.changed(state, state.drainChanged());
        assertThat(changed).containsOnlyKeys(NGINX, "/nginx-green");
        assertThat(changed.get(NGINX)).isEmpty();
        assertThat(changed.get("/nginx-green")).singleElement().extracting(App::id).isEqualTo("/nginx-green");
    }

    @Test
    void publishedGroupsAddUpToTheTableBuiltFromScratchAfterRandomChanges() {
        Random random = new Random(15);
        Map<String, List<App>> table = new HashMap<>(sync());
        for (int step = 0; step < 2_000; step++) {
            String id = "/app" + random.nextInt(12);
            int roll = random.nextInt(10);
            if (roll == 0) {
                state.remove(id);
            } else {
                Map<String, String> labels = new HashMap<>();
                if (roll <= 3) {
                    labels.putAll(colour("2024-0" + (1 + random.nextInt(9)) + "-01T00:00:00"));
                    labels.put("HAPROXY_DEPLOYMENT_GROUP", "group" + random.nextInt(3));
                }
                if (random.nextInt(4) == 0) {
                    labels.put("HAPROXY_0_VHOST", "v" + random.nextInt(5) + ".example.com");
                }
                int[] ports = IntStream.range(0, random.nextInt(4)).map(i -> 1 + random.nextInt(50)).distinct()
                        .toArray();
                state.replace(app(id, labels, ports));
            }
            Map<String, List<App>> changed = random.nextInt(50) == 0 ? groups.all(state)
                    : groups.changed(state, state.drainChanged());
            changed.forEach((group, apps) -> {
                if (apps.isEmpty()) {
                    table.remove(group);
                } else {
                    table.put(group, apps);
                }
            });
            List<App> incremental = table.values().stream().flatMap(List::stream).toList();
            assertThat(incremental).as("step %d", step)
                    .containsExactlyInAnyOrderElementsOf(new RoutingPolicy(new HealthVerdicts()).apps(state.apps()));
        }
    }

    private Map<String, List<App>> sync(MarathonApp... apps) {
        state.replaceAll(List.of(apps));
        state.drainChanged();
        return groups.all(state);
    }

    private static Map<String, String> colour(String startedAt) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("HAPROXY_DEPLOYMENT_GROUP", "nginx");
        labels.put("HAPROXY_DEPLOYMENT_STARTED_AT", startedAt);
        labels.put("HAPROXY_DEPLOYMENT_TARGET_INSTANCES", "4");
        return labels;
    }

    private static MarathonApp app(String id, Map<String, String> labels, int... ports) {
        List<MarathonTask> tasks = new ArrayList<>();
        for (int port : ports) {
            tasks.add(new MarathonTask(id.substring(1) + "." + port, id, "10.0.0.1", List.of(port), List.of(),
                    MarathonTask.RUNNING, null));
        }
        return new MarathonApp(id, labels, NetworkMode.HOST, 0, List.of(), false, List.of(), 0, tasks);
    }

    private static List<Integer> ports(App app) {
        return app.backends().stream().map(Backend::port).toList();
    }
}
