package io.mesoslb.discovery.marathon;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The real {@code /v2/events} body captured from Marathon (CRLF lines, Jetty heartbeats), which the
 * discovery benchmarks feed to the production parser. Benchmarks in this package (inside the
 * benchmarks module) reach lb-discovery's package-private parser without widening its visibility.
 */
final class WireCapture {
    private static final String RESOURCE = "/marathon/events-wire-crlf-heartbeats.sse";
    private static final String CRLF = "\r\n";

    private WireCapture() {
    }

    static byte[] bytes() {
        try (InputStream in = WireCapture.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every event of the body, parsed in one piece. */
    static List<SseEvent> events(byte[] body) {
        List<SseEvent> events = new ArrayList<>();
        new SseParser(events::add).feed(body, 0, body.length);
        return events;
    }

    /**
     * Only the events of the types discovery subscribes to ({@code event_type=} on the request), with
     * the heartbeats: what Marathon 1.3.7+ sends mesos-lb.
     */
    static byte[] routingOnly(byte[] capture) {
        // ISO-8859-1 maps bytes to chars one to one, so the bytes survive whatever they encode.
        String text = new String(capture, StandardCharsets.ISO_8859_1);
        if (!text.endsWith(CRLF)) {
            throw new IllegalStateException("the capture does not end in CRLF");
        }
        StringBuilder out = new StringBuilder(text.length());
        StringBuilder block = new StringBuilder();
        boolean keep = true;
        String[] lines = text.split(CRLF, -1);
        // The last element is the nothing after the final CRLF.
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            if (line.startsWith("event: ")) {
                keep = MarathonEvents.ROUTING_TYPES.contains(line.substring("event: ".length()));
            }
            block.append(line).append(CRLF);
            if (line.isEmpty()) {
                // The end of an event, or a heartbeat on its own.
                if (keep) {
                    out.append(block);
                }
                block.setLength(0);
                keep = true;
            }
        }
        out.append(block);
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
