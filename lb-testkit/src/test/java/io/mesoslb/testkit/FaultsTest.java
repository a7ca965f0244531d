package io.mesoslb.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesoslb.testkit.RawStream.Frame;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FaultsTest extends SimulatorTestBase {
    private static final String APP_EVENTS = "/v2/events?event_type=api_post_event";
    @Test
    void dropStreamsClosesEveryStream() {
        sim = MarathonSimulator.start();
        try (RawStream a = attach("/v2/events"); RawStream b = attach(APP_EVENTS)) {
            sim.dropStreams();

            assertThat(sim.openEventStreams()).isZero();
            assertThat(a.closedWithin(Duration.ofSeconds(10))).isTrue();
            assertThat(b.closedWithin(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void dropMidEventCutsTheDataLineThenCloses() {
        sim = MarathonSimulator.start();
        try (RawStream stream = attach(APP_EVENTS)) {
            sim.dropStreamsMidEvent();
            sim.createApp("web", 1, Map.of(), false);

            String rest = stream.readToEnd();

            assertThat(rest).startsWith("event: api_post_event\r\ndata: {\"eventType\":\"api_post_event\"");
            assertThat(rest).doesNotContain("\r\n\r\n").doesNotEndWith("\r\n");
            assertThatThrownBy(() -> EventStreamTest.json(rest.substring(rest.indexOf("data: ") + 6)))
                    .isInstanceOf(RuntimeException.class);
        }
    }

    @Test
    void malformedEventHasAnInvalidJsonDataLine() {
        sim = MarathonSimulator.start();
        try (RawStream stream = attach("/v2/events?event_type=status_update_event")) {
            sim.sendMalformedEvent();

            Frame f = stream.nextEvent();

            assertThat(f.type()).isEqualTo("status_update_event");
            assertThatThrownBy(() -> EventStreamTest.json(f.data())).isInstanceOf(RuntimeException.class);
        }
    }

    @Test
    void unavailableAnswers503AndClosesStreams() {
        sim = MarathonSimulator.start();
        try (RawStream stream = attach("/v2/events")) {
            sim.setAvailable(false);

            assertThat(stream.closedWithin(Duration.ofSeconds(10))).isTrue();
            assertThat(Http.get(sim.uri(), "/v2/apps").statusCode()).isEqualTo(503);
            try (RawStream refused = RawStream.events(sim.uri(), "/v2/events")) {
                assertThat(refused.status()).isEqualTo(503);
            }

            sim.setAvailable(true);

            assertThat(Http.get(sim.uri(), "/v2/apps").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void stalledStreamsMissWhatHappensMeanwhile() {
        sim = MarathonSimulator.start(SimulatorOptions.builder().heartbeatInterval(Duration.ofMillis(10)).build());
        try (RawStream stream = attach(APP_EVENTS)) {
            sim.stallStreams(true);
            sim.createApp("missed", 1, Map.of(), false);
            sim.stallStreams(false);
            sim.createApp("seen", 1, Map.of(), false);

            Frame f = stream.nextEvent();

            assertThat(EventStreamTest.json(f.data()).path("appDefinition").path("id").asText()).isEqualTo("/seen");
            assertThat(sim.openEventStreams()).isEqualTo(1);
        }
    }

    @Test
    void suppressedEventsAreLostButStateChanges() {
        sim = MarathonSimulator.start();
        try (RawStream stream = attach(APP_EVENTS)) {
            sim.setEventsSuppressed(true);
            sim.createApp("missed", 1, Map.of(), false);
            sim.setEventsSuppressed(false);
            sim.createApp("seen", 1, Map.of(), false);

            Frame f = stream.nextEvent();

            assertThat(EventStreamTest.json(f.data()).path("appDefinition").path("id").asText()).isEqualTo("/seen");
            HttpResponse<String> missed = Http.get(sim.uri(), "/v2/apps/missed");
            assertThat(missed.statusCode()).isEqualTo(200);
            assertThat(Http.json(missed).path("app").path("tasks")).hasSize(1);
        }
    }
}
