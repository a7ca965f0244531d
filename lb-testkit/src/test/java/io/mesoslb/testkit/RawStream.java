package io.mesoslb.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An HTTP exchange over a plain socket, to check the exact bytes of a response head and of an event stream (CRLF
 * framing, heartbeats, cuts), which an HTTP client would hide.
 */
final class RawStream implements AutoCloseable {
    /** One SSE frame; {@code type} is null for a heartbeat (a bare empty line). */
    record Frame(String type, String data) {
        boolean heartbeat() {
            return type == null && data == null;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final String head;

    private RawStream(URI base, String pathAndQuery, Map<String, String> headers) throws IOException {
        socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout(10_000);
        StringBuilder req = new StringBuilder("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\n");
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        req.append("\r\n");
        socket.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        in = socket.getInputStream();
        head = readHead();
    }

    static RawStream open(URI base, String pathAndQuery, Map<String, String> headers) {
        try {
            return new RawStream(base, pathAndQuery, headers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RawStream events(URI base, String pathAndQuery) {
        return open(base, pathAndQuery, Map.of("Accept", "text/event-stream"));
    }

    /** Status line and headers, lines joined with CRLF, without the blank line. */
    String head() {
        return head;
    }

    int status() {
        return Integer.parseInt(head.substring(9, 12));
    }

    String header(String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("EOF inside response head: " + buf);
            }
            buf.write(b);
            String s = buf.toString(StandardCharsets.ISO_8859_1);
            if (s.endsWith("\r\n\r\n")) {
                return s.substring(0, s.length() - 4);
            }
        }
    }

    /** Reads until {@code text} has arrived; returns everything received up to and including it. */
    String readThrough(String text) {
        while (true) {
            String s = pending.toString(StandardCharsets.UTF_8);
            int at = s.indexOf(text);
            if (at >= 0) {
                String out = s.substring(0, at + text.length());
                byte[] rest = s.substring(at + text.length()).getBytes(StandardCharsets.UTF_8);
                pending.reset();
                pending.writeBytes(rest);
                return out;
            }
            if (!fill()) {
                throw new AssertionError("stream ended before '" + text + "'; received: " + s);
            }
        }
    }

    /** The next frame, heartbeats included. Frames must use CRLF line ends. */
    Frame next() {
        String first = line();
        if (first.isEmpty()) {
            return new Frame(null, null);
        }
        if (!first.startsWith("event: ")) {
            throw new AssertionError("expected an event line, got: " + first);
        }
        String data = line();
        if (!data.startsWith("data: ")) {
            throw new AssertionError("expected a data line, got: " + data);
        }
        String blank = line();
        if (!blank.isEmpty()) {
            throw new AssertionError("expected the blank line ending a frame, got: " + blank);
        }
        return new Frame(first.substring(7), data.substring(6));
    }

    /** The next frame that is not a heartbeat. */
    Frame nextEvent() {
        Frame f;
        do {
            f = next();
        } while (f.heartbeat());
        return f;
    }

    /** The next event of one of these types, skipping heartbeats and other events. */
    Frame nextEvent(String type) {
        Frame f;
        do {
            f = nextEvent();
        } while (!f.type().equals(type));
        return f;
    }

    private String line() {
        String withEnd = readThrough("\r\n");
        String line = withEnd.substring(0, withEnd.length() - 2);
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            throw new AssertionError("bare CR or LF inside a line: " + line);
        }
        return line;
    }

    /** Everything until the server closes the connection. */
    String readToEnd() {
        while (fill()) {
            // keep reading
        }
        String s = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        return s;
    }

    /** Whether the server closed the connection, reading (and keeping) whatever still arrives before that. */
    boolean closedWithin(Duration timeout) {
        try {
            socket.setSoTimeout((int) timeout.toMillis());
            while (fill()) {
                // keep reading
            }
            return true;
        } catch (AssertionError e) {
            if (e.getCause() instanceof SocketTimeoutException) {
                return false;
            }
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                socket.setSoTimeout(10_000);
            } catch (IOException ignored) {
                // socket already unusable; the next read reports it
            }
        }
    }

    /** Reads what is available; false at EOF. */
    private boolean fill() {
        byte[] buf = new byte[8192];
        try {
            int n = in.read(buf);
            if (n < 0) {
                return false;
            }
            pending.write(buf, 0, n);
            return true;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no data within the socket timeout; received: "
                    + pending.toString(StandardCharsets.UTF_8), e);
        } catch (IOException e) {
            // A reset after the server closed counts as the end of the stream.
            return false;
        }
    }

    List<Frame> events(int n) {
        List<Frame> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(nextEvent());
        }
        return out;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test socket cannot fail meaningfully
        }
    }
}
