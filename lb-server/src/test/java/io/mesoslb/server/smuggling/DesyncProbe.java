package io.mesoslb.server.smuggling;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Sends one {@link DesyncCorpus} vector through a proxy in front of a {@link RecordingOrigin}, then
 * canary requests on fresh connections, and says what happened: the status the vector got, whether
 * the origin saw it, and any sign of a desync (a request line the client did not send as a request,
 * or a canary that got someone else's response or none).
 */
public final class DesyncProbe {
    /** What the origin may parse: the vector's own request, or a canary. */
    private static final Pattern SENT = Pattern.compile("[A-Z]+ /(outer|canary)-[0-9-]+ HTTP/1\\.[01]");
    private static final int CANARIES = 2;

    private final int proxyPort;
    private final String host;
    private final RecordingOrigin origin;
    private final int timeoutMillis;

    /** What one vector did. {@code status} is the first response's code, or {@link #CLOSED} or {@link #TIMEOUT}. */
    public record Outcome(int status, boolean forwarded, List<String> unexpectedLines, List<String> canaryFailures) {
        public boolean desync() {
            return !unexpectedLines.isEmpty() || !canaryFailures.isEmpty();
        }

        /** The proxy answered with an error and sent nothing on. */
        public boolean refused() {
            return !forwarded && (status >= 400 || status == CLOSED);
        }

        public String verdict() {
            String s = status == CLOSED ? "closed" : status == TIMEOUT ? "timeout" : Integer.toString(status);
            return (desync() ? "DESYNC " : "") + s + (forwarded ? " fwd" : "");
        }
    }

    public static final int CLOSED = -1;
    public static final int TIMEOUT = -2;

    public DesyncProbe(int proxyPort, String host, RecordingOrigin origin, int timeoutMillis) {
        this.proxyPort = proxyPort;
        this.host = host;
        this.origin = origin;
        this.timeoutMillis = timeoutMillis;
    }

    public Outcome run(int index, DesyncCorpus.Vector v) throws IOException {
        origin.requestLines.clear();
        int status;
        try (Socket s = connect()) {
            s.getOutputStream().write(v.wire().getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            status = readStatus(s.getInputStream(), null);
        }
        List<String> canaryFailures = new ArrayList<>();
        for (int i = 0; i < CANARIES; i++) {
            String target = "/canary-" + index + "-" + i;
            try (Socket s = connect()) {
                s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                StringBuilder body = new StringBuilder();
                int code = readStatus(s.getInputStream(), body);
                if (code != 200 || !body.toString().equals("seen " + target)) {
                    canaryFailures.add(target + " got " + code + " '" + DesyncCorpus.printable(body.toString()) + "'");
                }
            }
        }
        boolean forwarded = false;
        List<String> unexpected = new ArrayList<>();
        for (String line : origin.requestLines) {
            if (line.contains("/outer-" + index + " ")) {
                forwarded = true;
            }
            if (!SENT.matcher(line).matches()) {
                unexpected.add(DesyncCorpus.printable(line));
            }
        }
        return new Outcome(status, forwarded, unexpected, canaryFailures);
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", proxyPort), timeoutMillis);
        s.setSoTimeout(timeoutMillis);
        return s;
    }

    /** Reads one response and returns its status; its body goes to {@code body} when given. */
    private static int readStatus(InputStream in, StringBuilder body) throws IOException {
        try {
            String statusLine = line(in);
            if (statusLine == null) {
                return CLOSED;
            }
            String[] parts = statusLine.split(" ", 3);
            int status = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            long length = -1;
            boolean chunked = false;
            for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                String name = colon < 0 ? h : h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = colon < 0 ? "" : h.substring(colon + 1).trim();
                if (name.equals("content-length")) {
                    length = Long.parseLong(value);
                } else if (name.equals("transfer-encoding") && value.equalsIgnoreCase("chunked")) {
                    chunked = true;
                }
            }
            if (body != null && status >= 200 && status != 204 && status != 304) {
                if (chunked) {
                    for (int size = Integer.parseInt(line(in).trim(), 16); size > 0;
                            size = Integer.parseInt(line(in).trim(), 16)) {
                        body.append(new String(in.readNBytes(size), StandardCharsets.ISO_8859_1));
                        line(in);
                    }
                } else if (length >= 0) {
                    body.append(new String(in.readNBytes((int) length), StandardCharsets.ISO_8859_1));
                }
            }
            return status;
        } catch (SocketTimeoutException e) {
            return TIMEOUT;
        } catch (EOFException | java.net.SocketException e) {
            return CLOSED;
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        if (b.size() == 0) {
            return null;
        }
        throw new EOFException();
    }
}
