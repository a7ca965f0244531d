package io.mesoslb.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.BindException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClusterTest {
    private List<MarathonSimulator> cluster = List.of();

    @AfterEach
    void stop() {
        cluster.forEach(MarathonSimulator::close);
    }

    @Test
    void aPortThatCannotBeBoundStopsTheClustersThreads() {
        try (LoopbackPort taken = LoopbackPort.refusing()) {
            Cluster failing = new Cluster(SimulatorOptions.builder().port(taken.port()).build());
            assertThatThrownBy(() -> MarathonSimulator.startCluster(failing, 1)).isInstanceOf(BindException.class);
            assertThat(failing.group().isTerminated()).as("its event loops stopped").isTrue();
        }
    }

    @Test
    void standbyRedirectsEventsToTheLeaderKeepingTheQuery() {
        cluster = MarathonSimulator.startCluster(2);
        MarathonSimulator leader = cluster.get(0);
        MarathonSimulator standby = cluster.get(1);

        try (RawStream r = RawStream.events(standby.uri(), "/v2/events?event_type=a&event_type=b&plan-format=light")) {
            assertThat(r.status()).isEqualTo(302);
            assertThat(r.header("Location"))
                    .isEqualTo(leader.uri() + "/v2/events?event_type=a&event_type=b&plan-format=light");
        }
        assertThat(leader.isLeader()).isTrue();
        assertThat(standby.isLeader()).isFalse();
    }

    @Test
    void standbyAnswersFromTheSharedState() {
        cluster = MarathonSimulator.startCluster(2);
        MarathonSimulator leader = cluster.get(0);
        MarathonSimulator standby = cluster.get(1);
        leader.createApp("web", 2, Map.of(), false);

        HttpResponse<String> apps = Http.get(standby.uri(), "/v2/apps?embed=apps.tasks");
        HttpResponse<String> who = Http.get(standby.uri(), "/v2/leader");

        assertThat(Http.json(apps).path("apps").get(0).path("tasks")).hasSize(2);
        assertThat(apps.headers().firstValue("X-Marathon-Leader")).hasValue(leader.uri().toString());
        assertThat(Http.json(who).path("leader").asText()).isEqualTo("127.0.0.1:" + leader.port());
        assertThat(standby.tasks("web")).isEqualTo(leader.tasks("web"));
    }

    @Test
    void leaderChangeClosesStreamsAndForgetsHealth() {
        // Checks never run again on their own here, so "forgotten" can be observed without racing them.
        cluster = MarathonSimulator.startCluster(2, SimulatorOptions.builder()
                .healthCheckDelay(Duration.ofHours(1)).build());
        MarathonSimulator first = cluster.get(0);
        MarathonSimulator second = cluster.get(1);
        first.createApp("web", 1, Map.of(), true);
        first.setHealth(first.tasks("web").get(0).id(), true);
        try (RawStream stream = RawStream.events(first.uri(), "/v2/events")) {
            Await.until(() -> first.openEventStreams() == 1);

            second.becomeLeader();

            assertThat(stream.closedWithin(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(second.isLeader()).isTrue();
        assertThat(first.tasks("web").get(0).alive()).isNull();
        JsonNode task = Http.json(Http.get(second.uri(), "/v2/apps/web")).path("app").path("tasks").get(0);
        assertThat(task.has("healthCheckResults")).isFalse();
        try (RawStream redirected = RawStream.events(first.uri(), "/v2/events")) {
            assertThat(redirected.header("Location")).isEqualTo(second.uri() + "/v2/events");
        }
    }

    @Test
    void newLeaderRunsChecksAgainAndReportsTheKnownHealth() {
        cluster = MarathonSimulator.startCluster(2, SimulatorOptions.builder()
                .healthCheckDelay(Duration.ofMillis(10)).build());
        MarathonSimulator first = cluster.get(0);
        MarathonSimulator second = cluster.get(1);
        first.createApp("web", 1, Map.of(), true);
        String taskId = first.tasks("web").get(0).id();
        first.setHealth(taskId, false);
        List<EmittedEvent> events = new CopyOnWriteArrayList<>();
        first.addEventListener(events::add);

        second.becomeLeader();

        Await.until(() -> events.stream().anyMatch(e -> e.eventType().equals("health_status_changed_event")));
        assertThat(second.tasks("web").get(0).alive()).isFalse();
        assertThat(events).filteredOn(e -> e.eventType().equals("health_status_changed_event"))
                .allSatisfy(e -> assertThat(e.json()).contains("\"alive\":false", taskId.replace("web.", "")));
    }

    @Test
    void newLeaderEmitsTheEvents() {
        cluster = MarathonSimulator.startCluster(2);
        MarathonSimulator second = cluster.get(1);
        second.becomeLeader();
        try (RawStream stream = RawStream.events(second.uri(), "/v2/events?event_type=api_post_event")) {
            Await.until(() -> second.openEventStreams() == 1);

            cluster.get(0).createApp("web", 1, Map.of(), false);

            assertThat(stream.nextEvent().type()).isEqualTo("api_post_event");
        }
    }

    @Test
    void basicAuthGuardsEveryPathIncludingEvents() {
        cluster = List.of(MarathonSimulator.start(SimulatorOptions.builder().basicAuth("ops", "s3cret").build()));
        MarathonSimulator sim = cluster.get(0);
        String good = "Basic " + Base64.getEncoder().encodeToString("ops:s3cret".getBytes(StandardCharsets.UTF_8));
        String bad = "Basic " + Base64.getEncoder().encodeToString("ops:nope".getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> anonymous = Http.get(sim.uri(), "/v2/apps");
        HttpResponse<String> wrong = Http.send(Http.request(sim.uri(), "/v2/apps").header("Authorization", bad)
                .GET().build());
        HttpResponse<String> right = Http.send(Http.request(sim.uri(), "/v2/apps").header("Authorization", good)
                .GET().build());

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("basic realm=\"Mesosphere\"");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(right.statusCode()).isEqualTo(200);
        try (RawStream events = RawStream.events(sim.uri(), "/v2/events")) {
            assertThat(events.status()).isEqualTo(401);
        }
        try (RawStream events = RawStream.open(sim.uri(), "/v2/events",
                Map.of("Accept", "text/event-stream", "Authorization", good))) {
            assertThat(events.status()).isEqualTo(200);
        }
    }

    @Test
    void tokenAuthAcceptsDcosAndBearerStyles() {
        cluster = List.of(MarathonSimulator.start(SimulatorOptions.builder().token("eyJ.jwt.sig").build()));
        MarathonSimulator sim = cluster.get(0);

        assertThat(Http.get(sim.uri(), "/ping").statusCode()).isEqualTo(401);
        for (String value : List.of("token=eyJ.jwt.sig", "Bearer eyJ.jwt.sig")) {
            HttpResponse<String> r = Http.send(Http.request(sim.uri(), "/ping").header("Authorization", value)
                    .GET().build());
            assertThat(r.statusCode()).as(value).isEqualTo(200);
        }
        assertThat(Http.send(Http.request(sim.uri(), "/ping").header("Authorization", "token=other").GET().build())
                .statusCode()).isEqualTo(401);
    }

    @Test
    void closingTheLeaderHandsOverAndTheLastCloseStopsBackends() {
        cluster = MarathonSimulator.startCluster(2);
        MarathonSimulator first = cluster.get(0);
        MarathonSimulator second = cluster.get(1);
        first.createApp("web", 1, Map.of(), false);
        SimTask task = first.tasks("web").get(0);

        first.close();

        assertThat(second.isLeader()).isTrue();
        assertThat(Http.backend(task.host(), task.port()).body()).isEqualTo(task.id());

        second.close();

        TaskLifecycleTest.assertRefused(task);
    }

    @Test
    void standaloneOnAFixedPort() throws Exception {
        try (LoopbackPort fixed = LoopbackPort.forListener()) {
            cluster = List.of(MarathonSimulator.start(SimulatorOptions.builder().port(fixed.port()).build()));

            assertThat(cluster.get(0).uri().toString()).isEqualTo("http://127.0.0.1:" + fixed.port());
            assertThat(Http.get(cluster.get(0).uri(), "/ping").body()).isEqualTo("pong");
        }
    }
}
