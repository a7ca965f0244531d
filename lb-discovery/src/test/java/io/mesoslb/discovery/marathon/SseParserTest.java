package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.discovery.Fixtures;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseParserTest {

    @ParameterizedTest
    @ValueSource(strings = {"events.sse", "events-wire-crlf-heartbeats.sse"})
    void fixtureFedByteByByteGivesEveryEventWithItsJson(String fixture) {
        byte[] bytes = Fixtures.bytes(fixture);
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add);

        for (byte b : bytes) {
            parser.feed(new byte[] {b}, 0, 1);
        }

        List<String> lines = Fixtures.text("events.sse").lines().toList();
        List<String> types = lines.stream().filter(l -> l.startsWith("event: ")).map(l -> l.substring(7)).toList();
        List<String> data = lines.stream().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertThat(events).hasSize(19);
        assertThat(events).extracting(SseEvent::type).containsExactlyElementsOf(types);
        assertThat(events).extracting(SseEvent::data).containsExactlyElementsOf(data);
        assertThat(events.get(0).type()).isEqualTo("event_stream_attached");
        assertThat(events.get(0).data()).startsWith("{\"remoteAddress\"").endsWith("}");
    }

    @Test
    void anyChunkingGivesTheSameEventsAsOneChunk() {
        byte[] bytes = Fixtures.bytes("events-wire-crlf-heartbeats.sse");
        List<SseEvent> whole = parse(List.of(bytes));
        Random random = new Random(42);
        for (int round = 0; round < 50; round++) {
            List<byte[]> chunks = new ArrayList<>();
            for (int i = 0; i < bytes.length; ) {
                int n = Math.min(bytes.length - i, 1 + random.nextInt(64));
                byte[] chunk = new byte[n];
                System.arraycopy(bytes, i, chunk, 0, n);
                chunks.add(chunk);
                i += n;
            }
            assertThat(parse(chunks)).isEqualTo(whole);
        }
    }

    @Test
    void filteredFixtureHoldsOnlyStatusUpdates() {
        List<SseEvent> events = parse(List.of(Fixtures.bytes("events-filtered-status_update_event.sse")));

        assertThat(events).isNotEmpty().extracting(SseEvent::type).containsOnly("status_update_event");
    }

    @Test
    void crlfSplitAcrossChunksIsOneLineEnd() {
        List<SseEvent> events = parse(List.of(bytes("data: a\r"), bytes("\ndata: b\r"), bytes("\n\r"), bytes("\n")));

        assertThat(events).containsExactly(new SseEvent("message", "a\nb", ""));
    }

    @Test
    void bareCarriageReturnsEndLines() {
        assertThat(parse(List.of(bytes("event: x\rdata: 1\r\rdata: 2\r\r"))))
                .containsExactly(new SseEvent("x", "1", ""), new SseEvent("message", "2", ""));
    }

    @Test
    void multiLineDataIsJoinedWithNewlines() {
        assertThat(parse(List.of(bytes("data: {\"a\":\ndata:1}\ndata\n\n"))))
                .containsExactly(new SseEvent("message", "{\"a\":\n1}\n", ""));
    }

    @Test
    void commentsHeartbeatsAndUnknownFieldsAreIgnored() {
        String stream = ": hello\n\n\r\n\n\r\nretry: 5\nfoo: bar\nevent: status_update_event\n: mid\ndata: {}\n\n";

        assertThat(parse(List.of(bytes(stream)))).containsExactly(new SseEvent("status_update_event", "{}", ""));
    }

    @Test
    void onlyOneLeadingSpaceIsStrippedAndColonsInValuesStay() {
        assertThat(parse(List.of(bytes("data:  two spaces: yes\n\ndata:none\n\n"))))
                .containsExactly(new SseEvent("message", " two spaces: yes", ""), new SseEvent("message", "none", ""));
    }

    @Test
    void eventTypeDoesNotLeakIntoTheNextEventButIdPersists() {
        assertThat(parse(List.of(bytes("id: 7\nevent: a\n\ndata: x\n\nevent: b\ndata: y\n\n"))))
                .containsExactly(new SseEvent("message", "x", "7"), new SseEvent("b", "y", "7"));
    }

    @Test
    void utf8CharacterSplitAcrossChunksSurvives() {
        byte[] all = bytes("data: caf\u00e9 \u2603\n\n");
        int split = 10; // inside the three bytes of the snowman
        List<SseEvent> events = parse(List.of(java.util.Arrays.copyOfRange(all, 0, split),
                java.util.Arrays.copyOfRange(all, split, all.length)));

        assertThat(events).containsExactly(new SseEvent("message", "caf\u00e9 \u2603", ""));
    }

    @Test
    void leadingByteOrderMarkIsDropped() {
        byte[] body = bytes("data: x\n\n");
        byte[] withBom = new byte[body.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(body, 0, withBom, 3, body.length);

        assertThat(parse(List.of(withBom))).containsExactly(new SseEvent("message", "x", ""));
    }

    @Test
    void unfinishedEventIsNotDispatched() {
        assertThat(parse(List.of(bytes("event: a\ndata: partial")))).isEmpty();
        assertThat(parse(List.of(bytes("event: a\ndata: complete-line\n")))).isEmpty();
    }

    @Test
    void overlongLineIsCutSoItsJsonFailsToParse() {
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add, 16);

        parser.feed(ByteBuffer.wrap(bytes("data: {\"appId\":\"/a-long-app\"}\n\ndata: ok\n\n")));

        assertThat(events).containsExactly(new SseEvent("message", "{\"appId\":\"", ""),
                new SseEvent("message", "ok", ""));
    }

    private static List<SseEvent> parse(List<byte[]> chunks) {
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add);
        for (byte[] chunk : chunks) {
            parser.feed(ByteBuffer.wrap(chunk));
        }
        return events;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
