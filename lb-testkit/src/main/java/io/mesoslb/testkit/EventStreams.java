package io.mesoslb.testkit;

import io.netty.channel.ChannelFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open event streams of one simulator instance and the stream faults that can be injected into them. Frames
 * are written exactly as Jetty's {@code EventSourceServlet} writes them.
 */
final class EventStreams {
    private final Set<EventStream> open = ConcurrentHashMap.newKeySet();
    private volatile boolean stalled;
    /** Control thread only. */
    private boolean cutNext;

    static byte[] frame(String eventType, String json) {
        return ("event: " + eventType + "\r\ndata: " + json + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Half a frame: the event line and the first half of the data line, with no line end. */
    static byte[] cutFrame(String eventType, String json) {
        String half = json.substring(0, json.length() / 2);
        return ("event: " + eventType + "\r\ndata: " + half).getBytes(StandardCharsets.UTF_8);
    }

    /** Registers a stream so it receives events from now on. Control thread only. */
    void attach(EventStream stream) {
        open.add(stream);
        stream.channel().closeFuture().addListener(f -> open.remove(stream));
    }

    /**
     * Sends an event to every open stream whose filter takes it. Control thread only.
     *
     * @return completes with the {@link System#nanoTime()} at which the first stream to take it began writing it
     *         (on that stream's event loop); with {@code null} when no stream takes it whole
     */
    CompletableFuture<Long> broadcast(String eventType, String json) {
        CompletableFuture<Long> writing = new CompletableFuture<>();
        if (stalled || open.isEmpty()) {
            writing.complete(null);
            return writing;
        }
        if (cutNext) {
            cutNext = false;
            byte[] cut = cutFrame(eventType, json);
            for (EventStream s : open) {
                if (s.accepts(eventType)) {
                    s.sendAndClose(cut);
                } else {
                    s.close();
                }
            }
            writing.complete(null);
            return writing;
        }
        byte[] frame = frame(eventType, json);
        boolean any = false;
        for (EventStream s : open) {
            if (s.accepts(eventType)) {
                s.send(frame, writing::complete);
                any = true;
            }
        }
        if (!any) {
            writing.complete(null);
        }
        return writing;
    }

    /** The next broadcast is cut half-way through its data line and every stream then closes. Control thread only. */
    void cutNextEvent() {
        cutNext = true;
    }

    /** Closes every stream; waits until they are closed unless called on an event loop, which must not block. */
    void closeAll() {
        List<ChannelFuture> closing = new ArrayList<>();
        for (EventStream s : open) {
            closing.add(s.close());
        }
        for (ChannelFuture f : closing) {
            if (!f.channel().eventLoop().inEventLoop()) {
                f.awaitUninterruptibly();
            }
        }
    }

    void stall(boolean stall) {
        stalled = stall;
    }

    boolean stalled() {
        return stalled;
    }

    /** Counts open channels rather than registrations, so a stream closed a moment ago is never counted. */
    int count() {
        int n = 0;
        for (EventStream s : open) {
            n += s.channel().isOpen() ? 1 : 0;
        }
        return n;
    }
}
