package io.mesoslb.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 keep-alive socket to a loopback port (reopened when the server closed it), written and read by hand,
 * so an exchange costs one round trip and nothing else: no client-side pooling, threads or futures, which would run
 * beside what a benchmark measures. Responses must carry a Content-Length.
 */
final class KeepAliveConnection implements AutoCloseable {
    private final int port;
    private final Duration readTimeout;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private String body = "";
    private final Map<String, String> headers = new HashMap<>();

    /** @param readTimeout how long a response may take */
    KeepAliveConnection(int port, Duration readTimeout) {
        this.port = port;
        this.readTimeout = readTimeout;
    }

    /** Sends one whole request and reads its response; returns the status, the body is {@link #body()}. */
    int exchange(byte[] request) throws IOException {
        if (socket == null) {
            open();
        }
        out.write(request);
        out.flush();
        return readResponse();
    }

    /** The body of the last response. */
    String body() {
        return body;
    }

    /** A field of the last response's head, by its name in lower case; null when it had none. */
    String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }

    private void open() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Reads one response with a Content-Length body; closes the socket when the server asked to. */
    private int readResponse() throws IOException {
        String statusLine = line();
        int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        int length = 0;
        boolean close = false;
        headers.clear();
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            String name = header.substring(0, Math.max(colon, 0)).strip().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).strip();
            headers.put(name, value);
            if (name.equals("content-length")) {
                length = Integer.parseInt(value);
            } else if (name.equals("connection") && value.toLowerCase(Locale.ROOT).contains("close")) {
                close = true;
            }
        }
        body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        if (close) {
            close();
        }
        return status;
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed mid-response");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
