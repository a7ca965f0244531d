package io.mesoslb.discovery.marathon;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One open {@code /v2/events} response body, read chunk by chunk by the discovery's stream thread.
 *
 * <p>It asks the HTTP client for one chunk at a time, so a reader that falls behind pushes back on
 * the socket instead of buffering without bound. A read waits at most the idle timeout: Marathon
 * sends a heartbeat every 10 s, so a longer silence means a dead peer or a half-open connection.
 * {@link #abort} lets another thread (the reducer, when the snapshot fails) end the read.
 */
final class EventStream implements Flow.Subscriber<List<ByteBuffer>>, AutoCloseable {
    /** The stream was silent for longer than the idle timeout. */
    static final class ReadIdleException extends IOException {
        ReadIdleException(Duration idle) {
            super("no data on the event stream for " + idle.toMillis() + " ms");
        }
    }

    private static final Object END = new Object();

    private final URI base;
    private final String leader;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private Flow.Subscription subscription;
    private boolean closed;

    /**
     * @param base   the Marathon base URL that answered (the leader, after a redirect)
     * @param leader the {@code X-Marathon-Leader} it reported, or null
     */
    EventStream(URI base, String leader) {
        this.base = base;
        this.leader = leader;
    }

    URI base() {
        return base;
    }

    String leader() {
        return leader;
    }

    /**
     * The next chunk of the body, or null at its end.
     *
     * @throws ReadIdleException when nothing arrived within {@code idle}
     * @throws IOException       when the body failed or the stream was aborted
     */
    List<ByteBuffer> next(Duration idle) throws IOException, InterruptedException {
        Object item = queue.poll(idle.toNanos(), TimeUnit.NANOSECONDS);
        if (item == null) {
            throw new ReadIdleException(idle);
        }
        if (item == END) {
            queue.add(END);
            return null;
        }
        if (item instanceof Throwable t) {
            queue.add(t);
            throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
        }
        request();
        @SuppressWarnings("unchecked")
        List<ByteBuffer> chunk = (List<ByteBuffer>) item;
        return chunk;
    }

    /** Makes the reader's current or next {@link #next} fail with {@code reason}. */
    void abort(IOException reason) {
        queue.add(reason);
        cancel();
    }

    @Override
    public void close() {
        queue.add(END);
        cancel();
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        boolean cancel;
        synchronized (this) {
            subscription = s;
            cancel = closed;
        }
        if (cancel) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable t) {
        queue.add(t);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    private void request() {
        Flow.Subscription s;
        synchronized (this) {
            s = closed ? null : subscription;
        }
        if (s != null) {
            s.request(1);
        }
    }

    private void cancel() {
        Flow.Subscription s;
        synchronized (this) {
            s = closed ? null : subscription;
            closed = true;
        }
        if (s != null) {
            s.cancel();
        }
    }
}
