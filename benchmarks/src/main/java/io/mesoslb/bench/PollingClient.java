package io.mesoslb.bench;

import io.mesoslb.testkit.LoopbackBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/** Polls the proxy for one Host on one {@link KeepAliveConnection}, so a poll costs one loopback round trip. */
final class PollingClient implements AutoCloseable {
    private static final String RECEIVED_NANOS = LoopbackBackend.RECEIVED_NANOS_HEADER.toLowerCase(Locale.ROOT);
    private static final String ACCEPTED_NANOS = LoopbackBackend.ACCEPTED_NANOS_HEADER.toLowerCase(Locale.ROOT);

    private final KeepAliveConnection connection;
    private final byte[] request;
    private long requests;

    PollingClient(int port, String host) {
        this.connection = new KeepAliveConnection(port, Duration.ofSeconds(10));
        this.request = ("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The answer awaited.
     *
     * @param sentNanos     {@link System#nanoTime()} just before its request was written
     * @param readNanos     {@link System#nanoTime()} when it had been read
     * @param reachedNanos  the backend's {@link System#nanoTime()} when the request had reached it (its
     *                      {@link LoopbackBackend#RECEIVED_NANOS_HEADER}), or {@link Long#MIN_VALUE} without one
     * @param acceptedNanos the backend's {@link System#nanoTime()} when it had accepted the connection the request
     *                      came on ({@link LoopbackBackend#ACCEPTED_NANOS_HEADER}), or {@link Long#MIN_VALUE}
     */
    record Answer(long sentNanos, long readNanos, long reachedNanos, long acceptedNanos) {
    }

    /**
     * Sends requests, {@code pause} apart, until one is answered 200 with this body. A pause keeps the
     * client and the proxy's answers from taking the cores the balancer's discovery needs (on two cores,
     * back-to-back polling takes both); it adds at most itself to what is measured.
     */
    Answer awaitBody(String expected, Duration timeout, Duration pause) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (boolean first = true; System.nanoTime() - deadline < 0; first = false) {
            if (!first && !pause.isZero()) {
                LockSupport.parkNanos(pause.toNanos());
            }
            requests++;
            long sent = System.nanoTime();
            int status = connection.exchange(request);
            if (status == 200 && connection.body().equals(expected)) {
                long read = System.nanoTime();
                return new Answer(sent, read, nanosField(RECEIVED_NANOS), nanosField(ACCEPTED_NANOS));
            }
        }
        throw new IllegalStateException("no 200 from " + expected + " within " + timeout + "; last: "
                + connection.body());
    }

    private long nanosField(String name) {
        String value = connection.header(name);
        return value == null ? Long.MIN_VALUE : Long.parseLong(value);
    }

    long requests() {
        return requests;
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}
