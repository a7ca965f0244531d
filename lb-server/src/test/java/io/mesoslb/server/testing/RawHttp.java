package io.mesoslb.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A plain-socket HTTP/1.x client that sends exactly the bytes a test writes and parses what comes
 * back, so tests can send what well-behaved clients never would (no Host, bad syntax, pipelining).
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(int port) throws IOException {
        this(connect(port));
    }

    /** Speaks over a socket the caller connected (e.g. a TLS socket after its handshake). */
    public RawHttp(Socket connected) throws IOException {
        socket = connected;
        socket.setSoTimeout(20_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return s;
    }

    public Socket socket() {
        return socket;
    }

    public OutputStream out() {
        return out;
    }

    public RawHttp send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /** One parsed response; {@code trailers} those of a chunked body (names in lower case), else empty. */
    public record Response(String version, int status, Map<String, String> headers, byte[] body,
                           Map<String, String> trailers) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String trailer(String name) {
            return trailers.get(name.toLowerCase(Locale.ROOT));
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Reads one response (to a request of any method but HEAD). */
    public Response read() throws IOException {
        return read(false);
    }

    public Response read(boolean headRequest) throws IOException {
        String statusLine = line();
        String[] parts = statusLine.split(" ", 3);
        Map<String, String> headers = fields();
        int status = Integer.parseInt(parts[1]);
        byte[] body;
        Map<String, String> trailers = Map.of();
        if (headRequest || status == 204 || status == 304 || (status >= 100 && status < 200)) {
            body = new byte[0];
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = chunks();
            trailers = fields();
        } else if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else {
            body = in.readAllBytes();
        }
        return new Response(parts[0], status, headers, body, trailers);
    }

    /** Header (or trailer) fields up to the empty line, names in lower case, repeated ones joined. */
    private Map<String, String> fields() throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String l = line(); !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            String name = l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = l.substring(colon + 1).trim();
            fields.merge(name, value, (a, b) -> a + ", " + b);
        }
        return fields;
    }

    /** A chunked body's chunks, up to the last one; its trailer section follows. */
    private byte[] chunks() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line();
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
            if (size == 0) {
                return buf.toByteArray();
            }
            buf.write(in.readNBytes(size));
            line();
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int len = sb.length();
                if (len > 0 && sb.charAt(len - 1) == '\r') {
                    sb.setLength(len - 1);
                }
                return sb.toString();
            }
            sb.append((char) c);
        }
        throw new EOFException("connection closed after '" + sb + "'");
    }

    /** True once the server has closed the connection (reads end of stream). */
    public boolean closedByPeer() throws IOException {
        try {
            return in.read() == -1;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
