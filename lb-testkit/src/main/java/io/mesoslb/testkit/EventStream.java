package io.mesoslb.testkit;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/** One open {@code /v2/events} connection, after its response head went out: raw bytes until either side closes. */
final class EventStream {
    private static final byte[] HEARTBEAT = {'\r', '\n'};

    private final Channel channel;
    private final Set<String> eventTypes;

    /** @param eventTypes the {@code event_type} filter; empty means every type */
    EventStream(Channel channel, Set<String> eventTypes) {
        this.channel = channel;
        this.eventTypes = Set.copyOf(eventTypes);
    }

    Channel channel() {
        return channel;
    }

    boolean accepts(String eventType) {
        return eventTypes.isEmpty() || eventTypes.contains(eventType);
    }

    /** Jetty's keep-alive: a bare CRLF every interval, skipped while {@code stalled} says so. */
    void startHeartbeat(Duration interval, BooleanSupplier stalled) {
        long nanos = interval.toNanos();
        var beat = channel.eventLoop().scheduleAtFixedRate(() -> {
            if (!stalled.getAsBoolean()) {
                send(HEARTBEAT);
            }
        }, nanos, nanos, TimeUnit.NANOSECONDS);
        channel.closeFuture().addListener(f -> beat.cancel(false));
    }

    void send(byte[] bytes) {
        channel.writeAndFlush(Unpooled.wrappedBuffer(bytes));
    }

    /**
     * Sends an event's frame from the stream's event loop, telling {@code writing} the {@link System#nanoTime()} just
     * before the write: when Marathon's event is on its way to the subscriber, after the simulator's own hand-over
     * from its control thread. Queued behind earlier sends from other threads, as theirs are, so order holds.
     */
    void send(byte[] bytes, LongConsumer writing) {
        channel.eventLoop().execute(() -> {
            writing.accept(System.nanoTime());
            channel.writeAndFlush(Unpooled.wrappedBuffer(bytes));
        });
    }

    void sendAndClose(byte[] bytes) {
        channel.writeAndFlush(Unpooled.wrappedBuffer(bytes)).addListener(ChannelFutureListener.CLOSE);
    }

    ChannelFuture close() {
        return channel.close();
    }
}
