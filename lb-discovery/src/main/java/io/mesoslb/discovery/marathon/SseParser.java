package io.mesoslb.discovery.marathon;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * An incremental parser of the {@code text/event-stream} format (WHATWG HTML, "Server-sent events",
 * interpreting an event stream), fed with whatever chunks the network delivers.
 *
 * <p>Lines end in CRLF, LF or CR, also when the CR and the LF arrive in different chunks; a leading
 * byte order mark is dropped; {@code :} lines are comments; a field without a colon has an empty
 * value; one space after the colon is stripped; {@code data} lines are joined with {@code \n}; a
 * blank line dispatches the event, and one with no data (such as Jetty's heartbeat) dispatches
 * nothing. Lines are decoded as UTF-8 only once complete, so a character split across chunks
 * survives. A line longer than the limit is cut at the limit, so a runaway line cannot exhaust
 * memory; the cut-off data then fails to parse downstream, which the caller treats as a lost event.
 *
 * <p>Not thread-safe: one stream, one thread.
 */
final class SseParser {
    static final int DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final Consumer<SseEvent> listener;
    private final int maxLineBytes;

    private byte[] line = new byte[256];
    private int lineLength;
    private boolean afterCr;
    private boolean firstLine = true;

    private final StringBuilder data = new StringBuilder();
    private boolean hasData;
    private String eventType = "";
    private String lastEventId = "";

    SseParser(Consumer<SseEvent> listener) {
        this(listener, DEFAULT_MAX_LINE_BYTES);
    }

    SseParser(Consumer<SseEvent> listener, int maxLineBytes) {
        this.listener = listener;
        this.maxLineBytes = maxLineBytes;
    }

    void feed(ByteBuffer chunk) {
        while (chunk.hasRemaining()) {
            accept(chunk.get());
        }
    }

    void feed(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            accept(bytes[i]);
        }
    }

    private void accept(byte b) {
        if (afterCr) {
            afterCr = false;
            if (b == LF) {
                return;
            }
        }
        if (b == CR) {
            afterCr = true;
            endLine();
        } else if (b == LF) {
            endLine();
        } else if (lineLength < maxLineBytes) {
            if (lineLength == line.length) {
                line = Arrays.copyOf(line, Math.min(maxLineBytes, line.length * 2));
            }
            line[lineLength++] = b;
        }
    }

    private void endLine() {
        int start = 0;
        if (firstLine) {
            firstLine = false;
            if (lineLength >= BOM.length && Arrays.equals(line, 0, BOM.length, BOM, 0, BOM.length)) {
                start = BOM.length;
            }
        }
        String text = new String(line, start, lineLength - start, StandardCharsets.UTF_8);
        lineLength = 0;
        if (line.length > 64 * 1024) {
            line = new byte[256];
        }
        if (text.isEmpty()) {
            dispatch();
        } else if (text.charAt(0) != ':') {
            int colon = text.indexOf(':');
            String field = colon < 0 ? text : text.substring(0, colon);
            String value = colon < 0 ? "" : text.substring(text.length() > colon + 1 && text.charAt(colon + 1) == ' '
                    ? colon + 2 : colon + 1);
            field(field, value);
        }
    }

    private void field(String name, String value) {
        switch (name) {
            case "event" -> eventType = value;
            case "data" -> {
                if (hasData) {
                    data.append('\n');
                }
                data.append(value);
                hasData = true;
            }
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    lastEventId = value;
                }
            }
            default -> {
                // "retry" and unknown fields: Marathon sends neither, and reconnect timing is ours.
            }
        }
    }

    private void dispatch() {
        if (hasData) {
            listener.accept(new SseEvent(eventType.isEmpty() ? "message" : eventType, data.toString(), lastEventId));
        }
        data.setLength(0);
        hasData = false;
        eventType = "";
    }
}
