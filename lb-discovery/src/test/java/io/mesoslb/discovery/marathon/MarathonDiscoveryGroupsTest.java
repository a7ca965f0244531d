package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.App;
import io.mesoslb.core.Backend;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.discovery.labels.LabelProblems;
import io.mesoslb.discovery.labels.PortRoutes;
import io.mesoslb.testkit.Await;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What MarathonDiscovery hands RouteTableHolder.updateGroups: the groups an event or a snapshot changed, no more. */
class MarathonDiscoveryGroupsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static final String NGINX = RouteGroups.DEPLOYMENT_PREFIX + "/nginx";
    private static final String BLUE = "{\"id\":\"/nginx-blue\",\"labels\":{\"HAPROXY_DEPLOYMENT_GROUP\":\"nginx\","
            + "\"HAPROXY_DEPLOYMENT_STARTED_AT\":\"2024-01-01T00:00:00\",\"HAPROXY_DEPLOYMENT_TARGET_INSTANCES\":\"9\"},"
            + "\"tasks\":[" + task("nginx-blue.1", 31001) + "]}";

    private final RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"));
    private final List<Map<String, List<App>>> published = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> snapshot = new AtomicReference<>(snapshot(
            task("web.1", 30001), task("api.1", 30101), task("nginx-green.1", 31101)));
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
    void anEventPublishesOnlyTheGroupOfTheAppItTouches() throws IOException {
        start();
        assertThat(published).singleElement().satisfies(p -> assertThat(p).containsOnlyKeys("/web", "/api", NGINX));

        marathon.event("status_update_event", status("/web", "web.2", 30002));
        Await.until(DEADLINE, () -> published.size() == 2);
        assertThat(published.get(1)).containsOnlyKeys("/web");
        assertThat(ports(published.get(1).get("/web").get(0))).containsExactlyInAnyOrder(30001, 30002);
        assertThat(holder.current().lookup("api.example.com")).isNotNull();
    }

    @Test
    void aNewColourTaskRepublishesTheMergedRouteAsOneGroup() throws IOException {
        start();

        marathon.event("status_update_event", status("/nginx-green", "nginx-green.2", 31102));
        Await.until(DEADLINE, () -> published.size() == 2);
        assertThat(published.get(1)).containsOnlyKeys(NGINX);
        assertThat(published.get(1).get(NGINX)).singleElement().satisfies(app -> {
            assertThat(app.id()).isEqualTo("/nginx");
            assertThat(ports(app)).containsExactlyInAnyOrder(31001, 31101, 31102);
        });
        assertThat(holder.current().lookup("nginx.example.com").backends()).hasSize(3);
    }

    @Test
    void aResyncThatFindsNothingNewPublishesNothing() throws IOException {
        start();
        marathon.event("status_update_event", status("/web", "web.2", 30002));
        Await.until(DEADLINE, () -> published.size() == 2);
        snapshot.set(snapshot(task("web.1", 30001) + "," + task("web.2", 30002), task("api.1", 30101),
                task("nginx-green.1", 31101)));

        // A malformed event asks for a full snapshot; it finds what the events already said.
        marathon.event("status_update_event", "{\"taskId\": ");
        Await.until(DEADLINE, () -> discovery.state().fullSyncs() == 2);
        marathon.event("status_update_event", status("/api", "api.2", 30102));
        Await.until(DEADLINE, () -> published.size() == 3);

        assertThat(published.get(2)).containsOnlyKeys("/api");
    }

    private void start() throws IOException {
        marathon = new FakeMarathon(this::serve);
        MarathonConfig config = MarathonConfig.builder(List.of(marathon.uri()))
                .backoff(Duration.ofMillis(10), Duration.ofMillis(100)).build();
        discovery = new MarathonDiscovery(config, changed -> {
            // Recorded once the table has it: a test that saw the publication may look at the table.
            var result = holder.updateGroups(changed);
            published.add(Map.copyOf(changed));
            return result;
        }, new HealthVerdicts(), new PortRoutes(false, new LabelProblems()));
        discovery.start();
        Await.until(DEADLINE, () -> !published.isEmpty());
    }

    private String serve(FakeMarathon.Request r) {
        if (r.path().equals("/v2/events")) {
            return null;
        }
        if (r.target().equals("/v2/apps?embed=apps.tasks")) {
            return FakeMarathon.json(snapshot.get());
        }
        return FakeMarathon.response(404, "application/json", "{}");
    }

    private static String snapshot(String web, String api, String green) {
        return "{\"apps\":[{\"id\":\"/web\",\"tasks\":[" + web + "]},{\"id\":\"/api\",\"tasks\":[" + api + "]},"
                + BLUE + "," + BLUE.replace("blue", "green").replace("2024-01-01", "2024-02-01")
                .replace(task("nginx-green.1", 31001), green) + "]}";
    }

    private static List<Integer> ports(App app) {
        return app.backends().stream().map(Backend::port).toList();
    }

    private static String task(String id, int port) {
        return "{\"id\":\"" + id + "\",\"host\":\"127.0.0.1\",\"ports\":[" + port + "],\"state\":\"TASK_RUNNING\"}";
    }

    private static String status(String appId, String taskId, int port) {
        return "{\"eventType\":\"status_update_event\",\"appId\":\"" + appId + "\",\"taskId\":\"" + taskId
                + "\",\"taskStatus\":\"TASK_RUNNING\",\"host\":\"127.0.0.1\",\"ports\":[" + port
                + "],\"ipAddresses\":[]}";
    }
}
