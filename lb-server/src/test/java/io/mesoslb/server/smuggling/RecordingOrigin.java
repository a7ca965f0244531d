package io.mesoslb.server.smuggling;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A keep-alive origin that parses requests the way a lenient application server does, and records
 * the target of every request it answers. It is deliberately credulous: a line ends at CR, LF or CRLF;
 * {@code Transfer_Encoding}, {@code Transfer Encoding} and {@code " Transfer-Encoding"} all count
 * as {@code Transfer-Encoding}; any value containing {@code chunked} means chunked, which wins over
 * {@code Content-Length}. So whatever a proxy forwards must be unambiguous even to a server like
 * this: a request it answers whose response no client receives is a desync.
 *
 * <p>Each request is answered {@code 200} with the body {@code seen <target>}, so a client can tell
 * whose response it got, unless the test {@linkplain #script scripted} the target's answer.
 * Plain sockets and a thread per connection: it must not share a parser, or a bug, with the proxy it checks.
 */
public final class RecordingOrigin implements AutoCloseable {
    /** The target of every request answered, in order per connection (a request still awaiting its body is not). */
    public final Queue<String> answered = new ConcurrentLinkedQueue<>();
    /** Connections that the peer (the proxy) closed between requests. */
    public final AtomicInteger closedByPeer = new AtomicInteger();
    private final Map<String, List<String>> scripted = new ConcurrentHashMap<>();
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    public RecordingOrigin() throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        Thread acceptor = new Thread(this::accept, "recording-origin-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /**
     * Answers requests for {@code target} with exactly these bytes (ISO-8859-1), however wrong,
     * each part a write of its own.
     */
    public RecordingOrigin script(String target, String... parts) {
        scripted.put(target, List.of(parts));
        return this;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "recording-origin-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            PushbackInputStream in = new PushbackInputStream(s.getInputStream(), 1);
            OutputStream out = s.getOutputStream();
            while (true) {
                String line = readLine(in);
                if (line == null) {
                    closedByPeer.incrementAndGet();
                    return;
                }
                if (line.isEmpty()) {
                    continue; // RFC 9112 2.2: empty lines before a request line are ignored
                }
                String[] parts = line.split("[ \t]+");
                String target = parts.length > 1 ? parts[1] : "?";
                long contentLength = 0;
                boolean chunked = false;
                for (String h = readLine(in); h != null && !h.isEmpty(); h = readLine(in)) {
                    int colon = h.indexOf(':');
                    if (colon < 0) {
                        continue;
                    }
                    String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT).replace('_', '-').replace(' ', '-');
                    String value = h.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
                    if (name.equals("transfer-encoding") && value.contains("chunked")) {
                        chunked = true;
                    } else if (name.equals("content-length") && contentLength == 0) {
                        contentLength = leadingNumber(value);
                    }
                }
                if (chunked) {
                    if (!skipChunked(in)) {
                        return;
                    }
                } else if (contentLength > 0) {
                    in.skipNBytes(contentLength);
                }
                answered.add(target);
                String body = "seen " + target;
                // One write: a head and a body written apart meet Nagle and delayed ACKs (40 ms each).
                List<String> writes = scripted.getOrDefault(target, List.of("HTTP/1.1 200 OK\r\n"
                        + "Content-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n\r\n" + body));
                for (String part : writes) {
                    out.write(part.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the peer went away: nothing to record
        }
    }

    private static long leadingNumber(String value) {
        long n = 0;
        for (int i = 0; i < value.length() && Character.isDigit(value.charAt(i)) && n < 1L << 40; i++) {
            n = n * 10 + (value.charAt(i) - '0');
        }
        return n;
    }

    /** Reads a chunked body and its trailers; false when the stream ended or the framing is garbage. */
    private static boolean skipChunked(PushbackInputStream in) throws IOException {
        while (true) {
            String sizeLine = readLine(in);
            if (sizeLine == null) {
                return false;
            }
            int end = 0;
            while (end < sizeLine.length() && Character.digit(sizeLine.charAt(end), 16) >= 0) {
                end++;
            }
            if (end == 0 || end > 8) {
                return false;
            }
            long size = Long.parseLong(sizeLine.substring(0, end), 16);
            if (size == 0) {
                for (String t = readLine(in); t != null; t = readLine(in)) {
                    if (t.isEmpty()) {
                        return true;
                    }
                }
                return false;
            }
            in.skipNBytes(size);
            if (readLine(in) == null) {
                return false;
            }
        }
    }

    /** A line ended by CR, LF or CRLF; null at the end of the stream. */
    private static String readLine(PushbackInputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                return line.toString(StandardCharsets.ISO_8859_1);
            }
            if (c == '\r') {
                int next = in.read();
                if (next != '\n' && next != -1) {
                    in.unread(next);
                }
                return line.toString(StandardCharsets.ISO_8859_1);
            }
            if (line.size() > 65_536) {
                throw new IOException("line too long");
            }
            line.write(c);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
