package io.mesoslb.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AppsApiTest extends SimulatorTestBase {
    @Test
    void appsWithEmbeddedTasksHaveMarathon15Shape() {
        sim = MarathonSimulator.start(SimulatorOptions.builder().autoHealthy(false).build());
        SimApp app = sim.createApp("/team/api", 2, Map.of("HAPROXY_0_VHOST", "api.example.com"), true);

        HttpResponse<String> r = Http.get(sim.uri(), "/v2/apps?embed=apps.tasks&embed=apps.counts");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.headers().firstValue("X-Marathon-Leader")).hasValue(sim.uri().toString());
        JsonNode json = Http.json(r).path("apps").get(0);
        assertThat(json.path("id").asText()).isEqualTo("/team/api");
        assertThat(json.path("instances").asInt()).isEqualTo(2);
        assertThat(json.path("labels").path("HAPROXY_0_VHOST").asText()).isEqualTo("api.example.com");
        assertThat(json.path("networks").get(0).path("mode").asText()).isEqualTo("host");
        assertThat(json.path("portDefinitions").get(0).path("port").asInt()).isEqualTo(app.servicePort());
        assertThat(json.path("healthChecks")).hasSize(1);
        assertThat(json.path("version").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(json.path("versionInfo").path("lastConfigChangeAt").asText()).isEqualTo(json.path("version").asText());
        assertThat(json.path("tasksRunning").asInt()).isEqualTo(2);
        assertThat(json.path("deployments").isArray()).isTrue();

        JsonNode tasks = json.path("tasks");
        assertThat(tasks).hasSize(2);
        List<SimTask> simTasks = sim.tasks("/team/api");
        for (int i = 0; i < 2; i++) {
            JsonNode t = tasks.get(i);
            SimTask expected = simTasks.get(i);
            assertThat(t.path("id").asText()).isEqualTo(expected.id()).startsWith("team_api.");
            assertThat(t.path("appId").asText()).isEqualTo("/team/api");
            assertThat(t.path("host").asText()).isEqualTo("127.0.0.1");
            assertThat(t.path("ports").get(0).asInt()).isEqualTo(expected.port());
            assertThat(t.path("state").asText()).isEqualTo("TASK_RUNNING");
            assertThat(t.path("version").asText()).isEqualTo(json.path("version").asText());
            assertThat(t.path("ipAddresses").get(0).path("ipAddress").asText()).isEqualTo("127.0.0.1");
            assertThat(t.path("ipAddresses").get(0).path("protocol").asText()).isEqualTo("IPv4");
            assertThat(t.path("slaveId").asText()).isNotEmpty();
            assertThat(t.has("stagedAt")).isTrue();
            assertThat(t.has("startedAt")).isTrue();
            assertThat(t.has("healthCheckResults")).as("no result before the first check").isFalse();
        }
    }

    @Test
    void healthResultsAppearOnceAChecksRan() {
        sim = MarathonSimulator.start(SimulatorOptions.builder().autoHealthy(false).build());
        sim.createApp("web", 1, Map.of(), true);
        SimTask task = sim.tasks("web").get(0);

        sim.setHealth(task.id(), false);

        JsonNode t = Http.json(Http.get(sim.uri(), "/v2/apps/web")).path("app").path("tasks").get(0);
        JsonNode result = t.path("healthCheckResults").get(0);
        assertThat(result.path("alive").asBoolean(true)).isFalse();
        assertThat(result.path("consecutiveFailures").asInt()).isEqualTo(1);
        assertThat(result.path("instanceId").asText()).isEqualTo(task.instanceId()).startsWith("web.marathon-");
        assertThat(result.has("lastFailureCause")).isTrue();
        assertThat(sim.tasks("web").get(0).alive()).isFalse();
    }

    @Test
    void autoHealthyTasksTurnAliveAfterTheFirstCheck() {
        sim = MarathonSimulator.start(SimulatorOptions.builder().healthCheckDelay(Duration.ofMillis(20)).build());
        sim.createApp("web", 2, Map.of(), true);

        Await.until(() -> sim.tasks("web").stream().allMatch(t -> Boolean.TRUE.equals(t.alive())));

        JsonNode app = Http.json(Http.get(sim.uri(), "/v2/apps/web")).path("app");
        assertThat(app.path("tasksHealthy").asInt()).isEqualTo(2);
        assertThat(app.path("tasks").get(0).path("healthCheckResults").get(0).path("alive").asBoolean()).isTrue();
    }

    @Test
    void embedIsOptionalAndAcceptsEveryPrefix() {
        sim = MarathonSimulator.start();
        sim.createApp("web", 1, Map.of(), false);

        assertThat(Http.json(Http.get(sim.uri(), "/v2/apps")).path("apps").get(0).has("tasks")).isFalse();
        for (String embed : List.of("apps.tasks", "app.tasks", "group.apps.tasks", "tasks")) {
            JsonNode apps = Http.json(Http.get(sim.uri(), "/v2/apps?embed=apps.counts&embed=" + embed)).path("apps");
            assertThat(apps.get(0).path("tasks")).as(embed).hasSize(1);
        }
    }

    @Test
    void singleAppAndTaskEndpointsHandleIdsWithSlashes() {
        sim = MarathonSimulator.start();
        sim.createApp("/prod/shop/cart", 2, Map.of(), false);
        sim.createApp("/other", 1, Map.of(), false);

        JsonNode app = Http.json(Http.get(sim.uri(), "/v2/apps/prod/shop/cart"));
        JsonNode appTasks = Http.json(Http.get(sim.uri(), "/v2/apps/prod/shop/cart/tasks"));
        JsonNode allTasks = Http.json(Http.get(sim.uri(), "/v2/tasks"));
        HttpResponse<String> missing = Http.get(sim.uri(), "/v2/apps/nope");

        assertThat(app.path("app").path("id").asText()).isEqualTo("/prod/shop/cart");
        assertThat(app.path("app").path("tasks")).hasSize(2);
        assertThat(appTasks.path("tasks")).hasSize(2);
        assertThat(appTasks.path("tasks").get(0).path("appId").asText()).isEqualTo("/prod/shop/cart");
        assertThat(allTasks.path("tasks")).hasSize(3);
        assertThat(allTasks.path("tasks").get(0).path("servicePorts")).hasSize(1);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(Http.json(missing).path("message").asText()).contains("/nope");
    }

    @Test
    void leaderAndPing() {
        sim = MarathonSimulator.start();

        HttpResponse<String> leader = Http.get(sim.uri(), "/v2/leader");
        HttpResponse<String> ping = Http.get(sim.uri(), "/ping");

        assertThat(Http.json(leader).path("leader").asText()).isEqualTo("127.0.0.1:" + sim.port());
        assertThat(ping.body()).isEqualTo("pong");
        assertThat(ping.headers().firstValue("X-Marathon-Leader")).hasValue(sim.uri().toString());
    }

    @Test
    void restCallsCreateScaleKillAndDelete() {
        sim = MarathonSimulator.start(SimulatorOptions.builder().killGrace(Duration.ZERO).build());

        HttpResponse<String> created = Http.send(sim.uri(), "POST", "/v2/apps",
                "{\"id\":\"/shop\",\"instances\":1,\"labels\":{\"HAPROXY_GROUP\":\"external\"},\"healthChecks\":[]}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(Http.json(created).path("labels").path("HAPROXY_GROUP").asText()).isEqualTo("external");
        assertThat(Http.send(sim.uri(), "POST", "/v2/apps", "{\"id\":\"/shop\"}").statusCode()).isEqualTo(409);

        HttpResponse<String> scaled = Http.send(sim.uri(), "PUT", "/v2/apps/shop", "{\"instances\":3}");
        assertThat(scaled.statusCode()).isEqualTo(200);
        assertThat(Http.json(scaled).has("deploymentId")).isTrue();
        assertThat(sim.tasks("/shop")).hasSize(3);

        String victim = sim.tasks("/shop").get(0).id();
        HttpResponse<String> killed = Http.send(sim.uri(), "DELETE", "/v2/apps/shop/tasks/" + victim + "?scale=true", "");
        assertThat(killed.statusCode()).isEqualTo(200);
        Await.until(() -> sim.tasks("/shop").size() == 2);
        assertThat(sim.app("/shop").instances()).isEqualTo(2);
        assertThat(sim.tasks("/shop")).extracting(SimTask::id).doesNotContain(victim);

        Http.send(sim.uri(), "PUT", "/v2/apps/shop", "{\"labels\":{\"HAPROXY_GROUP\":\"internal\"}}");
        assertThat(sim.app("shop").labels()).containsExactly(Map.entry("HAPROXY_GROUP", "internal"));

        assertThat(Http.send(sim.uri(), "DELETE", "/v2/apps/shop", "").statusCode()).isEqualTo(200);
        assertThat(Http.get(sim.uri(), "/v2/apps/shop").statusCode()).isEqualTo(404);
        assertThat(sim.tasks("/shop")).isEmpty();
    }

    @Test
    void simHealthEndpointFlipsHealth() {
        sim = MarathonSimulator.start(SimulatorOptions.builder().autoHealthy(false).build());
        sim.createApp("web", 1, Map.of(), true);
        String taskId = sim.tasks("web").get(0).id();

        HttpResponse<String> r = Http.send(sim.uri(), "PUT", "/_sim/tasks/" + taskId + "/health", "{\"alive\":false}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(sim.tasks("web").get(0).alive()).isFalse();
        assertThat(Http.send(sim.uri(), "PUT", "/_sim/tasks/" + taskId + "/health", "{}").statusCode())
                .isEqualTo(422);
    }
}
