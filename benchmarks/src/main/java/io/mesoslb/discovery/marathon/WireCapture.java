package io.mesoslb.discovery.marathon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real {@code /v2/events} body captured from Marathon (CRLF lines, Jetty heartbeats), which the
 * discovery benchmarks feed to the production parser. It is read where it lies, in
 * {@code shared/marathon} beside the checkout (the project keeps no copy): the system property
 * {@value #PROPERTY} names the file, else it is looked for upwards from the working directory.
 * Benchmarks in this package (inside the benchmarks module) reach lb-discovery's package-private
 * parser without widening its visibility.
 */
final class WireCapture {
    static final String PROPERTY = "mesoslb.wireCapture";
    private static final Path CAPTURE = Path.of("shared", "marathon", "events-wire-crlf-heartbeats.sse");
    private static final String CRLF = "\r\n";

    private WireCapture() {
    }

    static byte[] bytes() {
        try {
            return Files.readAllBytes(path());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path path() {
        String given = System.getProperty(PROPERTY);
        if (given != null) {
            return Path.of(given);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(CAPTURE))) {
                return p.resolve(CAPTURE);
            }
        }
        throw new IllegalStateException(CAPTURE + " is not beside this checkout; pass -D" + PROPERTY + "=<file>");
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
