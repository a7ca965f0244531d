package io.mesoslb.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** Polls the proxy for one Host on one {@link KeepAliveConnection}, so a poll costs one loopback round trip. */
final class PollingClient implements AutoCloseable {
    private final KeepAliveConnection connection;
    private final byte[] request;
    private long requests;

    PollingClient(int port, String host) {
        this.connection = new KeepAliveConnection(port, Duration.ofSeconds(10));
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
            requests++;
            int status = connection.exchange(request);
            if (status == 200 && connection.body().equals(expected)) {
                return System.nanoTime();
            }
        }
        throw new IllegalStateException("no 200 from " + expected + " within " + timeout + "; last: "
                + connection.body());
    }

    long requests() {
        return requests;
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}
