package io.mesoslb.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mesoslb.server.config.ConfigLoader;
import io.mesoslb.server.config.ServerConfig;
import io.mesoslb.testkit.MarathonSimulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * packaging/marathon/mesos-lb.json runs the balancer as marathon-lb is run. Posted to the simulator's
 * {@code POST /v2/apps}, it must be accepted, its tasks started, and read back as README says.
 */
class MarathonAppDefinitionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void acceptedByMarathonAndRunsTheBalancerLikeMarathonLb() throws Exception {
        Path file = Tools.packagingDir().resolve("marathon/mesos-lb.json");
        String definition = Files.readString(file);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (MarathonSimulator sim = MarathonSimulator.start()) {
            HttpResponse<String> posted = http.send(HttpRequest.newBuilder(sim.uri().resolve("/v2/apps"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(definition)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(posted.statusCode()).as("POST /v2/apps: %s", posted.body()).isEqualTo(201);

            JsonNode app = JSON.readTree(http.send(HttpRequest.newBuilder(sim.uri().resolve("/v2/apps/mesos-lb"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body()).path("app");
            assertThat(app.path("id").asText()).isEqualTo("/mesos-lb");
            // One per agent, on the agent's own network, on fixed ports: as marathon-lb.
            assertThat(app.path("constraints").toString()).isEqualTo("[[\"hostname\",\"UNIQUE\"]]");
            assertThat(app.path("networks").get(0).path("mode").asText()).isEqualTo("host");
            assertThat(app.path("requirePorts").asBoolean()).isTrue();
            List<Integer> ports = new ArrayList<>();
            app.path("portDefinitions").forEach(p -> ports.add(p.path("port").asInt()));
            assertThat(ports).containsExactly(80, 443, 9090);
            // Marathon checks the admin port's /health: 503 while starting and while draining.
            JsonNode check = app.path("healthChecks").get(0);
            assertThat(check.path("path").asText()).isEqualTo("/health");
            assertThat(check.path("protocol").asText()).isEqualTo("MESOS_HTTP");
            assertThat(ports.get(check.path("portIndex").asInt())).isEqualTo(9090);
            assertThat(app.path("env").path("MESOS_LB_HEAP").asText()).isEqualTo("512m");

            // The args are mesos-lb flags that load, and agree with the ports and the health check.
            List<String> args = new ArrayList<>();
            app.path("args").forEach(a -> args.add(a.asText()));
            ServerConfig config = ConfigLoader.load(args.toArray(String[]::new));
            assertThat(config.listenPort()).isEqualTo(ports.get(0));
            assertThat(config.ops().httpsPort()).isEqualTo(ports.get(1));
            assertThat(config.adminPort()).isEqualTo(ports.get(2));
            assertThat(config.adminHost()).as("reachable by the ELB's health check").isEqualTo("0.0.0.0");
            assertThat(config.marathonUrls()).containsExactly(URI.create("http://marathon.mesos:8080"));
            assertThat(config.domain()).isEqualTo("apps.example.com");
            // Marathon's SIGKILL comes taskKillGracePeriodSeconds after its SIGTERM: after the drain.
            Duration drain = config.ops().drainPeriod().plus(config.shutdownGrace());
            assertThat(Duration.ofSeconds(app.path("taskKillGracePeriodSeconds").asLong())).isGreaterThan(drain);

            // Accepted and deployed: the simulator started its two instances.
            assertThat(sim.tasks("/mesos-lb")).hasSize(2);
        }

        // README's "Running on Marathon" names what the definition does.
        String readme = Files.readString(Tools.packagingDir().resolve("../README.md"));
        assertThat(readme).contains("packaging/marathon/mesos-lb.json", "[\"hostname\", \"UNIQUE\"]",
                "\"requirePorts\": true", "taskKillGracePeriodSeconds");
    }

    @Test
    void simulatorRejectsWhatMarathonRejects() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (MarathonSimulator sim = MarathonSimulator.start()) {
            for (String bad : List.of(
                    "{\"id\":\"/a\",\"constraints\":[[\"hostname\",\"UNIQUE\",\"x\"]],\"portDefinitions\":[{\"port\":80}]}",
                    "{\"id\":\"/b\",\"constraints\":[[\"hostname\",\"ONE_PER\"]],\"portDefinitions\":[{\"port\":80}]}",
                    "{\"id\":\"/c\",\"healthChecks\":[{\"portIndex\":3}],\"portDefinitions\":[{\"port\":80}]}",
                    "{\"id\":\"/d\",\"requirePorts\":true,\"portDefinitions\":[{\"port\":0}]}")) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(sim.uri().resolve("/v2/apps"))
                        .POST(HttpRequest.BodyPublishers.ofString(bad)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as("%s -> %s", bad, r.body()).isEqualTo(422);
            }
        }
    }
}
