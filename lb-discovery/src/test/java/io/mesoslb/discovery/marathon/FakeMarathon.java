package io.mesoslb.discovery.marathon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * A minimal Marathon over raw sockets, for what the client must get exactly right on the wire
 * (headers, redirects, stream timing). Each response is chosen by a function of the request; the
 * event streams it opened stay open until the test closes them. Given an {@link SSLContext} it
 * speaks HTTPS, as Marathon does with {@code --ssl_keystore_path}.
 */
final class FakeMarathon implements AutoCloseable {
    /** One received request: its request line target and its headers (name lower-cased, in order). */
    record Request(String target, List<Map.Entry<String, String>> headers) {
        List<String> header(String name) {
            return headers.stream().filter(h -> h.getKey().equals(name.toLowerCase())).map(Map.Entry::getValue).toList();
        }

        String path() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }
    }

    /** What to answer: a full response, or an event stream's head ({@link #stream}, or null for the usual one). */
    @FunctionalInterface
    interface Handler extends Function<Request, String> {
    }

    private static final String STREAM_START = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream;charset=UTF-8\r\n";
    private static final String STREAM_HEADERS = stream();

    private final ServerSocket server;
    private final String scheme;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> streams = new CopyOnWriteArrayList<>();
    private final Map<Socket, Boolean> all = new ConcurrentHashMap<>();
    private volatile Handler handler;

    FakeMarathon(Handler handler) throws IOException {
        this(handler, null);
    }

    /** @param tls the server's key material, or null for plain HTTP */
    FakeMarathon(Handler handler, SSLContext tls) throws IOException {
        this.handler = handler;
        InetAddress loopback = InetAddress.getLoopbackAddress();
        this.server = tls == null ? new ServerSocket(0, 50, loopback)
                : tls.getServerSocketFactory().createServerSocket(0, 50, loopback);
        this.scheme = tls == null ? "http" : "https";
        Thread acceptor = new Thread(this::acceptLoop, "fake-marathon-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI uri() {
        return URI.create(scheme + "://127.0.0.1:" + server.getLocalPort());
    }

    void handler(Handler h) {
        this.handler = h;
    }

    List<Request> requests() {
        return new ArrayList<>(requests);
    }

    int openStreams() {
        return (int) streams.stream().filter(s -> !s.isClosed()).count();
    }

    /** Writes raw bytes to every open event stream. */
    void write(String raw) {
        for (Socket s : streams) {
            try {
                OutputStream out = s.getOutputStream();
                out.write(raw.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                streams.remove(s);
            }
        }
    }

    void event(String type, String json) {
        write("event: " + type + "\r\ndata: " + json + "\r\n\r\n");
    }

    void closeStreams() {
        for (Socket s : streams) {
            closeQuietly(s);
        }
        streams.clear();
    }

    /** The head of an event stream as Marathon sends it, plus these header lines ({@code "Name: value"}). */
    static String stream(String... headerLines) {
        StringBuilder head = new StringBuilder(STREAM_START);
        for (String line : headerLines) {
            head.append(line).append("\r\n");
        }
        return head.append("Connection: close\r\nCache-Control: no-cache, no-store, must-revalidate\r\n\r\n").toString();
    }

    static String json(String body) {
        return response(200, "application/json", body);
    }

    static String response(int status, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return "HTTP/1.1 " + status + " X\r\nContent-Type: " + contentType + "\r\nContent-Length: " + bytes.length
                + "\r\n\r\n" + body;
    }

    static String redirect(String location) {
        return "HTTP/1.1 302 Found\r\nLocation: " + location + "\r\nContent-Length: 0\r\n\r\n";
    }

    @Override
    public void close() {
        closeQuietly(server);
        all.keySet().forEach(FakeMarathon::closeQuietly);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                all.put(socket, Boolean.TRUE);
                Thread t = new Thread(() -> serve(socket), "fake-marathon-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            while (true) {
                String line = in.readLine();
                if (line == null) {
                    break;
                }
                String target = line.split(" ")[1];
                List<Map.Entry<String, String>> headers = new ArrayList<>();
                for (String h; (h = in.readLine()) != null && !h.isEmpty(); ) {
                    int colon = h.indexOf(':');
                    headers.add(Map.entry(h.substring(0, colon).strip().toLowerCase(), h.substring(colon + 1).strip()));
                }
                Request request = new Request(target, headers);
                requests.add(request);
                String answer = handler.apply(request);
                OutputStream out = socket.getOutputStream();
                if (answer == null || answer.startsWith(STREAM_START)) {
                    out.write((answer == null ? STREAM_HEADERS : answer).getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    streams.add(socket);
                    return; // the stream is written by the test from here on
                }
                out.write(answer.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            closeQuietly(socket);
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing a test socket
        }
    }
}
