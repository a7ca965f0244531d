package io.mesoslb.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mesoslb.testkit.RawStream.Frame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class EventStreamTest extends SimulatorTestBase {
    @Test
    void responseHeadIsJettysRawStream() {
        sim = MarathonSimulator.start();
        try (RawStream stream = attach("/v2/events")) {
            assertThat(stream.head()).startsWith("HTTP/1.1 200 OK");
            assertThat(stream.header("Content-Type")).isEqualTo("text/event-stream;charset=UTF-8");
            assertThat(stream.header("Connection")).isEqualTo("close");
            assertThat(stream.header("Cache-Control")).isEqualTo("no-cache, no-store, must-revalidate");
            assertThat(stream.header("X-Marathon-Leader")).isEqualTo(sim.uri().toString());
            assertThat(stream.header("Transfer-Encoding")).isNull();
            assertThat(stream.header("Content-Length")).isNull();

            String first = stream.readThrough("\r\n\r\n");
            assertThat(first).startsWith("event: event_stream_attached\r\ndata: {");
            JsonNode body = json(first.substring(first.indexOf("data: ") + 6).trim());
            assertThat(body.path("eventType").asText()).isEqualTo("event_stream_attached");
            assertThat(body.path("remoteAddress").asText()).isEqualTo("127.0.0.1");
            assertThat(body.path("timestamp").asText()).endsWith("Z");
        }
    }

    @Test
    void heartbeatIsABareCrlf() {
        sim = MarathonSimulator.start(SimulatorOptions.builder().heartbeatInterval(Duration.ofMillis(20)).build());
        try (RawStream stream = attach("/v2/events")) {
            assertThat(stream.nextEvent().type()).isEqualTo("event_stream_attached");

            assertThat(stream.next().heartbeat()).isTrue();
            assertThat(stream.next().heartbeat()).isTrue();
        }
    }

    @Test
    void taskStartEmitsStatusUpdatesWithRealFields() {
        sim = MarathonSimulator.start();
        try (RawStream stream = attach("/v2/events?event_type=status_update_event&event_type=api_post_event")) {
            SimApp app = sim.createApp("/team/api", 1, Map.of("HAPROXY_GROUP", "external"), false);
            SimTask task = sim.tasks("/team/api").get(0);

            List<Frame> frames = stream.events(3);

            assertThat(frames).extracting(Frame::type)
                    .containsExactly("api_post_event", "status_update_event", "status_update_event");
            JsonNode post = json(frames.get(0).data());
            assertThat(post.path("uri").asText()).isEqualTo("/v2/apps");
            assertThat(post.path("appDefinition").path("id").asText()).isEqualTo("/team/api");
            assertThat(post.path("appDefinition").path("labels").path("HAPROXY_GROUP").asText()).isEqualTo("external");
            JsonNode staging = json(frames.get(1).data());
            JsonNode running = json(frames.get(2).data());
            assertThat(staging.path("taskStatus").asText()).isEqualTo("TASK_STAGING");
            assertThat(running.path("taskStatus").asText()).isEqualTo("TASK_RUNNING");
            assertThat(running.path("eventType").asText()).isEqualTo("status_update_event");
            assertThat(running.path("appId").asText()).isEqualTo(app.id());
            assertThat(running.path("taskId").asText()).isEqualTo(task.id());
            assertThat(running.path("host").asText()).isEqualTo("127.0.0.1");
            assertThat(running.path("ports").get(0).asInt()).isEqualTo(task.port());
            assertThat(running.path("ipAddresses").get(0).path("ipAddress").asText()).isEqualTo("127.0.0.1");
            assertThat(running.path("version").asText()).isEqualTo(app.version());
            assertThat(running.path("slaveId").asText()).isNotEmpty();
            assertThat(running.has("message")).isTrue();
        }
    }

    @Test
    void repeatedEventTypeParametersFilterTheStream() {
        sim = MarathonSimulator.start(SimulatorOptions.builder().healthCheckDelay(Duration.ofHours(1)).build());
        try (RawStream all = attach("/v2/events");
                RawStream filtered = attach("/v2/events?event_type=app_terminated_event"
                        + "&event_type=deployment_success")) {
            sim.createApp("web", 1, Map.of(), false);
            sim.deleteApp("web");

            assertThat(filtered.events(3)).extracting(Frame::type)
                    .containsExactly("deployment_success", "app_terminated_event", "deployment_success");
            List<String> unfiltered = new ArrayList<>();
            Frame f;
            do {
                f = all.nextEvent();
                unfiltered.add(f.type());
            } while (!f.type().equals("app_terminated_event"));
            assertThat(unfiltered).contains("event_stream_attached", "api_post_event", "deployment_info",
                    "status_update_event", "instance_changed_event", "deployment_success");
        }
    }

    @Test
    void scalingIsWrappedInALightDeployment() {
        sim = MarathonSimulator.start();
        sim.createApp("/team/api", 1, Map.of(), false);
        try (RawStream stream = attach("/v2/events?event_type=deployment_info&event_type=deployment_success")) {
            sim.scale("/team/api", 2);

            List<Frame> frames = stream.events(2);

            JsonNode info = json(frames.get(0).data());
            JsonNode success = json(frames.get(1).data());
            assertThat(frames.get(0).type()).isEqualTo("deployment_info");
            assertThat(info.path("plan").path("steps").get(0).path("actions").get(0).path("action").asText())
                    .isEqualTo("ScaleApplication");
            assertThat(info.path("currentStep").path("actions").get(0).path("app").asText()).isEqualTo("/team/api");
            assertThat(info.path("plan").has("original")).as("light plan format").isFalse();
            assertThat(frames.get(1).type()).isEqualTo("deployment_success");
            assertThat(success.path("id").asText()).isEqualTo(info.path("plan").path("id").asText());
        }
    }

    @Test
    void withoutTheExactAcceptHeaderTheAnswerIs405LikeJetty() {
        sim = MarathonSimulator.start();

        HttpResponse<String> none = Http.get(sim.uri(), "/v2/events");
        HttpResponse<String> listed = Http.send(Http.request(sim.uri(), "/v2/events")
                .header("Accept", "text/event-stream, */*").GET().build());

        assertThat(none.statusCode()).isEqualTo(405);
        assertThat(none.body()).contains("HTTP method GET is not supported by this URL");
        assertThat(listed.statusCode()).isEqualTo(405);
        assertThat(sim.openEventStreams()).isZero();
    }

    @Test
    void healthFlipEmitsBothHealthEvents() {
        sim = MarathonSimulator.start(SimulatorOptions.builder().autoHealthy(false).build());
        sim.createApp("web", 1, Map.of(), true);
        SimTask task = sim.tasks("web").get(0);
        try (RawStream stream = attach("/v2/events?event_type=health_status_changed_event"
                + "&event_type=instance_health_changed_event")) {
            sim.setHealth(task.id(), true);
            sim.setHealth(task.id(), true); // unchanged: no events
            sim.setHealth(task.id(), false);

            List<Frame> frames = stream.events(4);

            assertThat(frames).extracting(Frame::type).containsExactly("health_status_changed_event",
                    "instance_health_changed_event", "health_status_changed_event", "instance_health_changed_event");
            JsonNode down = json(frames.get(2).data());
            assertThat(down.path("alive").asBoolean(true)).isFalse();
            assertThat(down.path("appId").asText()).isEqualTo("/web");
            assertThat(down.path("instanceId").asText()).isEqualTo(task.instanceId());
            JsonNode instanceDown = json(frames.get(3).data());
            assertThat(instanceDown.path("healthy").asBoolean(true)).isFalse();
            assertThat(instanceDown.path("runSpecId").asText()).isEqualTo("/web");
        }
    }

    @Test
    void listenersSeeEveryEmittedEvent() {
        sim = MarathonSimulator.start();
        List<EmittedEvent> seen = new CopyOnWriteArrayList<>();
        sim.addEventListener(seen::add);

        sim.createApp("web", 1, Map.of(), false);

        assertThat(seen).extracting(EmittedEvent::eventType).contains("api_post_event", "status_update_event");
        assertThat(seen).allSatisfy(e -> assertThat(json(e.json()).path("eventType").asText())
                .isEqualTo(e.eventType()));
    }

    @Test
    void defaultJdkClientStreamsIt() throws Exception {
        sim = MarathonSimulator.start();
        // Default client: offers an h2c upgrade, which a Jetty-like HTTP/1.1 server ignores.
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(sim.uri().resolve("/v2/events"))
                .header("Accept", "text/event-stream").build();

        HttpResponse<Stream<String>> response = client.send(request, HttpResponse.BodyHandlers.ofLines());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        try (Stream<String> lines = response.body()) {
            List<String> firstTwo = lines.limit(2).toList();
            assertThat(firstTwo.get(0)).isEqualTo("event: event_stream_attached");
            assertThat(firstTwo.get(1)).startsWith("data: {\"remoteAddress\":");
        }
    }

    static JsonNode json(String s) {
        try {
            return Http.JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
