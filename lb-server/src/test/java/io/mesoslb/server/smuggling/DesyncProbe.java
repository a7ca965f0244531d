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

/**
 * Sends one {@link DesyncCorpus} vector through a proxy in front of a {@link RecordingOrigin},
 * followed on the same connection by a last request that asks to close, then canary requests on
 * fresh connections, and says what happened.
 *
 * <p>The oracle: every request the origin answers must reach a client as the answer to a request
 * that client sent, and every canary must get its own answer. What the proxy takes for one
 * request and what the origin parses must therefore be the same requests. A request hidden in a
 * body that the origin parses and answers shows up as an answer nobody received (or one a canary
 * received instead of its own); one that makes the origin wait for a body swallows a canary.
 */
public final class DesyncProbe {
    private static final int CANARIES = 2;

    private final int proxyPort;
    private final String host;
    private final RecordingOrigin origin;
    private final int timeoutMillis;

    /**
     * What one vector did. {@code status} is the first response's code, or {@link #CLOSED} or
     * {@link #TIMEOUT}; {@code lost} are targets the origin answered that no client received,
     * {@code misdelivered} answers a client got for a request it did not send.
     */
    public record Outcome(int status, boolean forwarded, List<String> lost, List<String> misdelivered) {
        public boolean desync() {
            return !lost.isEmpty() || !misdelivered.isEmpty();
        }

        /** The proxy answered with an error and sent nothing on. */
        public boolean refused() {
            return !forwarded && (status >= 400 || status == CLOSED);
        }

        public String verdict() {
            String s = status == CLOSED ? "closed" : status == TIMEOUT ? "timeout" : Integer.toString(status);
            return (desync() ? "DESYNC " : "") + s + (forwarded ? " fwd" : "");
        }

        @Override
        public String toString() {
            return verdict() + (desync() ? " lost " + lost + " misdelivered " + misdelivered : "");
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
        origin.answered.clear();
        String outer = "/outer-" + index;
        List<String> received = new ArrayList<>();
        List<String> misdelivered = new ArrayList<>();
        int status;
        try (Socket s = connect()) {
            String last = "GET " + outer + "-last HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
            s.getOutputStream().write((v.wire() + last).getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            StringBuilder body = new StringBuilder();
            status = read(s.getInputStream(), body);
            // Every answer on this connection, until the proxy closes it (after the last request at the latest).
            for (int code = status; code > 0; code = read(s.getInputStream(), body)) {
                String seen = seenTarget(body);
                if (seen != null) {
                    received.add(seen);
                    if (!seen.startsWith(outer)) {
                        // Forwarded as a request of its own: fine only if the proxy framed it that way,
                        // which the origin's answer count below decides; a canary's answer never belongs here.
                        if (seen.startsWith("/canary")) {
                            misdelivered.add(outer + " got the answer for " + seen);
                        }
                    }
                }
                body.setLength(0);
            }
        }
        for (int i = 0; i < CANARIES; i++) {
            String target = "/canary-" + index + "-" + i;
            try (Socket s = connect()) {
                s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                StringBuilder body = new StringBuilder();
                int code = read(s.getInputStream(), body);
                String seen = seenTarget(body);
                if (seen != null) {
                    received.add(seen);
                }
                if (code != 200 || !target.equals(seen)) {
                    misdelivered.add(target + " got " + code + " '" + DesyncCorpus.printable(body.toString()) + "'");
                }
            }
        }
        List<String> lost = new ArrayList<>();
        boolean forwarded = false;
        for (String target : origin.answered) {
            forwarded |= target.equals(outer);
            if (!received.remove(target)) {
                lost.add(DesyncCorpus.printable(target));
            }
        }
        return new Outcome(status, forwarded, lost, misdelivered);
    }

    private static String seenTarget(CharSequence body) {
        String b = body.toString();
        return b.startsWith("seen ") ? b.substring(5) : null;
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", proxyPort), timeoutMillis);
        s.setSoTimeout(timeoutMillis);
        s.setTcpNoDelay(true);
        return s;
    }

    /** Reads one response into {@code body} and returns its status, or {@link #CLOSED} / {@link #TIMEOUT}. */
    private static int read(InputStream in, StringBuilder body) throws IOException {
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
            if (status >= 200 && status != 204 && status != 304) {
                if (chunked) {
                    for (int size = Integer.parseInt(line(in).trim(), 16); size > 0;
                            size = Integer.parseInt(line(in).trim(), 16)) {
                        body.append(new String(in.readNBytes(size), StandardCharsets.ISO_8859_1));
                        line(in);
                    }
                    while (!line(in).isEmpty()) {
                        // trailers
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
