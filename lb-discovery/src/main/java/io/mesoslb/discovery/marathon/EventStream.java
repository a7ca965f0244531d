package io.mesoslb.discovery.marathon;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One open {@code /v2/events} response body, cut into events on the thread that delivers its chunks.
 *
 * <p>That thread is the event-stream client's selector thread ({@link MarathonClient}): each chunk is parsed as it
 * arrives and its complete events handed to the {@link Reader} at once, so an event crosses no thread between the
 * socket and the reader's hand-off. Nothing of the body is asked for before {@link #deliverTo}: what Marathon sends
 * with the response's head waits in the client until the caller has done what must come first (queued the snapshot).
 *
 * <p>The caller's thread waits in {@link #awaitEnd} for the body's end, its failure, an {@link #abort}, or a silence
 * longer than the idle timeout: Marathon sends a heartbeat every 10 s, so a longer silence means a dead peer or a
 * half-open connection. It wakes once per idle timeout at most, not per chunk.
 */
final class EventStream implements Flow.Subscriber<List<ByteBuffer>>, AutoCloseable {
    /** The stream was silent for longer than the idle timeout. */
    static final class ReadIdleException extends IOException {
        ReadIdleException(Duration idle) {
            super("no data on the event stream for " + idle.toMillis() + " ms");
        }
    }

    /** Where a chunk's events go, on the thread that delivered the chunk; it must not block. */
    @FunctionalInterface
    interface Reader {
        /** @param events the chunk's complete events, in order; empty for a chunk that completed none (a heartbeat) */
        void read(List<SseEvent> events);
    }

    private final URI base;
    private final String leader;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    /** The delivering thread's, one chunk at a time (the subscriber's signals are serial). */
    private final List<SseEvent> parsed = new ArrayList<>();
    private final SseParser parser = new SseParser(parsed::add);
    private Flow.Subscription subscription;
    /** Set once before the first chunk is asked for; read by the delivering thread. */
    private volatile Reader reader;
    private boolean cancelled;
    /** When the last chunk came (System.nanoTime), or when delivery began. */
    private volatile long lastRead;

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

    /** Starts asking for the body: from here on every chunk's events go to {@code to}. Once. */
    void deliverTo(Reader to) {
        Flow.Subscription s;
        synchronized (this) {
            if (reader != null) {
                throw new IllegalStateException("already delivering");
            }
            reader = to;
            lastRead = System.nanoTime();
            s = cancelled ? null : subscription;
        }
        if (s != null) {
            s.request(1);
        }
    }

    /**
     * Waits for the body's end.
     *
     * @throws ReadIdleException when no chunk came for {@code idle}
     * @throws IOException       when the body failed or the stream was aborted
     */
    void awaitEnd(Duration idle) throws IOException, InterruptedException {
        while (true) {
            long left = lastRead + idle.toNanos() - System.nanoTime();
            if (left <= 0) {
                throw new ReadIdleException(idle);
            }
            try {
                ended.get(left, TimeUnit.NANOSECONDS);
                return;
            } catch (TimeoutException e) {
                // a chunk since may have moved the deadline on
            } catch (ExecutionException e) {
                Throwable t = e.getCause();
                throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
            }
        }
    }

    /** Makes the current or next {@link #awaitEnd} fail with {@code reason}, and stops the delivery. */
    void abort(IOException reason) {
        ended.completeExceptionally(reason);
        cancel();
    }

    @Override
    public void close() {
        ended.complete(null);
        cancel();
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        boolean cancel;
        boolean request;
        synchronized (this) {
            subscription = s;
            cancel = cancelled;
            request = reader != null;
        }
        if (cancel) {
            s.cancel();
        } else if (request) {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> chunk) {
        lastRead = System.nanoTime();
        try {
            for (ByteBuffer buffer : chunk) {
                parser.feed(buffer);
            }
            List<SseEvent> events = parsed.isEmpty() ? List.of() : List.copyOf(parsed);
            parsed.clear();
            reader.read(events);
        } catch (RuntimeException e) {
            abort(new IOException("reading the event stream failed: " + e, e));
            return;
        }
        request();
    }

    @Override
    public void onError(Throwable t) {
        ended.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        ended.complete(null);
    }

    private void request() {
        Flow.Subscription s;
        synchronized (this) {
            s = cancelled ? null : subscription;
        }
        if (s != null) {
            s.request(1);
        }
    }

    private void cancel() {
        Flow.Subscription s;
        synchronized (this) {
            s = cancelled ? null : subscription;
            cancelled = true;
        }
        if (s != null) {
            s.cancel();
        }
    }
}
