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
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * A minimal HTTP/1.1 client on one keep-alive socket (reopened when the server closes it), so a
 * poll costs one loopback round trip and nothing else: no client-side pooling, threads or futures.
 */
final class PollingClient implements AutoCloseable {
    private final int port;
    private final byte[] request;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private long requests;
    private String lastBody = "";

    PollingClient(int port, String host) {
        this.port = port;
        this.request = ("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Sends requests, {@code pause} apart, until one is answered 200 with this body. A pause keeps the
     * client and the proxy's answers from taking the cores the balancer's discovery needs (on two cores,
     * back-to-back polling takes both); it adds at most itself to what is measured.
     *
     * @return {@link System#nanoTime()} when that response had been read
     */
    long awaitBody(String expected, Duration timeout, Duration pause) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (boolean first = true; System.nanoTime() - deadline < 0; first = false) {
            if (!first && !pause.isZero()) {
                LockSupport.parkNanos(pause.toNanos());
            }
            if (socket == null) {
                open();
            }
            out.write(request);
            out.flush();
            requests++;
            int status = readResponse();
            if (status == 200 && lastBody.equals(expected)) {
                return System.nanoTime();
            }
        }
        throw new IllegalStateException("no 200 from " + expected + " within " + timeout + "; last: " + lastBody);
    }

    long requests() {
        return requests;
    }

    private void open() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
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
        for (String header = line(); !header.isEmpty(); header = line()) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(lower.substring("content-length:".length()).strip());
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        lastBody = new String(in.readNBytes(length), StandardCharsets.UTF_8);
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
