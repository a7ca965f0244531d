package io.mesoslb.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Set;
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

    /** Control thread only. */
    void broadcast(String eventType, String json) {
        if (stalled || open.isEmpty()) {
            return;
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
            return;
        }
        byte[] frame = frame(eventType, json);
        for (EventStream s : open) {
            if (s.accepts(eventType)) {
                s.send(frame);
            }
        }
    }

    /** The next broadcast is cut half-way through its data line and every stream then closes. Control thread only. */
    void cutNextEvent() {
        cutNext = true;
    }

    void closeAll() {
        open.forEach(EventStream::close);
    }

    void stall(boolean stall) {
        stalled = stall;
    }

    boolean stalled() {
        return stalled;
    }

    int count() {
        return open.size();
    }
}
