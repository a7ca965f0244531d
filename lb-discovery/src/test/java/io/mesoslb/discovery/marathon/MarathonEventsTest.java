package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesoslb.discovery.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MarathonEventsTest {

    @Test
    void statusUpdateCarriesTheTaskAddress() throws Exception {
        assertThat(parse("status_update_event", "status_update_event.TASK_RUNNING.json")).isEqualTo(
                new MarathonEvent.StatusUpdate("/test-app", "test-app.5dd78972-6771-11e5-94e1-be5b2935a987",
                        "TASK_RUNNING", "srv4.hw.ca1.mesosphere.com", List.of(31182), List.of()));
        assertThat(parse("status_update_event", "status_update_event.TASK_FAILED.json"))
                .extracting(e -> ((MarathonEvent.StatusUpdate) e).status()).isEqualTo("TASK_FAILED");
    }

    @Test
    void instanceAndHealthEvents() throws Exception {
        String instance = "my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c";
        assertThat(parse("instance_changed_event", "instance_changed_event.json"))
                .isEqualTo(new MarathonEvent.InstanceChanged("/app-id", instance, "Running"));
        assertThat(parse("instance_health_changed_event", "instance_health_changed_event.json"))
                .isEqualTo(new MarathonEvent.HealthChanged("/app-id", instance, true, true));
        assertThat(parse("instance_health_changed_event", "instance_health_changed_event.changelog-1.4.json"))
                .isEqualTo(new MarathonEvent.HealthChanged("/some/app",
                        "some_app.marathon-49d976d3-9c6f-11e6-93cb-0242216b9f0d", true, true));
        assertThat(parse("health_status_changed_event", "health_status_changed_event.json"))
                .isEqualTo(new MarathonEvent.HealthChanged("/my-app", instance, true, false));
    }

    @Test
    void pre14HealthEventNamesTheTask() throws Exception {
        SseEvent sse = new SseEvent("health_status_changed_event",
                "{\"appId\":\"/a\",\"taskId\":\"a.1\",\"version\":\"v\",\"alive\":false}", "");

        assertThat(MarathonEvents.parse(sse)).isEqualTo(new MarathonEvent.HealthChanged("/a", "a.1", false, false));
    }

    @Test
    void appLevelEvents() throws Exception {
        assertThat(parse("app_terminated_event", "app_terminated_event.json"))
                .isEqualTo(new MarathonEvent.AppTerminated("/my-app"));
        assertThat(parse("api_post_event", "api_post_event.json"))
                .isEqualTo(new MarathonEvent.AppsChanged(Set.of("/my-app")));
        assertThat(parse("deployment_success", "deployment_success.light-assembled.json"))
                .isEqualTo(new MarathonEvent.AppsChanged(Set.of("/my-app")));
        assertThat(parse("deployment_failed", "deployment_failed.light-assembled.json"))
                .isEqualTo(new MarathonEvent.AppsChanged(Set.of("/my-app")));
        // the older documented shape names no app: the caller must take a snapshot
        assertThat(parse("deployment_success", "deployment_success.json"))
                .isEqualTo(new MarathonEvent.AppsChanged(Set.of()));
    }

    @Test
    void deploymentOfPodsOnlyIsIgnored() throws Exception {
        SseEvent sse = new SseEvent("deployment_success",
                "{\"id\":\"d\",\"plan\":{\"steps\":[{\"actions\":[{\"action\":\"StartPod\",\"pod\":\"/p\"}]}]}}", "");

        assertThat(MarathonEvents.parse(sse)).isInstanceOf(MarathonEvent.Ignored.class);
    }

    @Test
    void everyEventOfTheFixtureStreamParses() throws Exception {
        List<SseEvent> events = new ArrayList<>();
        new SseParser(events::add).feed(java.nio.ByteBuffer.wrap(Fixtures.bytes("events-wire-crlf-heartbeats.sse")));
        List<MarathonEvent> parsed = new ArrayList<>();
        for (SseEvent e : events) {
            parsed.add(MarathonEvents.parse(e));
        }

        assertThat(parsed).hasSize(19);
        assertThat(parsed.stream().filter(e -> !(e instanceof MarathonEvent.Ignored))).hasSize(12);
    }

    @Test
    void unnamedEventsOfOldMarathonAreTypedByTheirBody() throws Exception {
        SseEvent sse = new SseEvent("message", "{\"eventType\":\"app_terminated_event\",\"appId\":\"/x\"}", "");

        assertThat(MarathonEvents.parse(sse)).isEqualTo(new MarathonEvent.AppTerminated("/x"));
    }

    @Test
    void brokenRoutingEventsAreReportedAndOthersIgnored() throws Exception {
        assertThatThrownBy(() -> MarathonEvents.parse(new SseEvent("status_update_event", "{\"appId\":", "")))
                .isInstanceOf(MarathonEvents.MalformedEventException.class);
        assertThatThrownBy(() -> MarathonEvents.parse(new SseEvent("status_update_event",
                "{\"appId\":\"/a\",\"taskStatus\":\"TASK_RUNNING\"}", "")))
                .isInstanceOf(MarathonEvents.MalformedEventException.class).hasMessageContaining("taskId");
        assertThatThrownBy(() -> MarathonEvents.parse(new SseEvent("app_terminated_event", "[1]", "")))
                .isInstanceOf(MarathonEvents.MalformedEventException.class);
        assertThatThrownBy(() -> MarathonEvents.parse(new SseEvent("message", "garbage", "")))
                .isInstanceOf(MarathonEvents.MalformedEventException.class);
        assertThat(MarathonEvents.parse(new SseEvent("event_stream_attached", "garbage", "")))
                .isEqualTo(new MarathonEvent.Ignored("event_stream_attached"));
        assertThat(MarathonEvents.parse(new SseEvent("message", "{\"eventType\":\"pod_created_event\"}", "")))
                .isEqualTo(new MarathonEvent.Ignored("pod_created_event"));
    }

    private static MarathonEvent parse(String type, String fixture) throws Exception {
        return MarathonEvents.parse(new SseEvent(type, Fixtures.text("events/" + fixture), ""));
    }
}
