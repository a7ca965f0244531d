package io.mesoslb.server.admin;

import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.mesoslb.discovery.DiscoveryState;
import io.mesoslb.discovery.OutOfRotation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;

/** Streaming JSON for the admin endpoints: no object mapping, written straight into a ByteBuf. */
final class AdminJson {
    static final JsonFactory FACTORY = new JsonFactory();

    /** Writes one JSON document into a new buffer. */
    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private AdminJson() {
    }

    static ByteBuf render(ByteBufAllocator alloc, Body body) throws IOException {
        ByteBuf buf = alloc.buffer();
        try {
            write(buf, body);
            return buf;
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    /** Appends a JSON value to {@code buf}. */
    static void write(ByteBuf buf, Body body) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(buf))) {
            body.write(g);
        }
    }

    /** The discovery state as an object, or null when discovery has none. */
    static void discovery(JsonGenerator g, DiscoveryState s) throws IOException {
        if (s == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeStringField("source", s.source());
        g.writeBooleanField("synced", s.synced());
        g.writeBooleanField("connected", s.connected());
        instant(g, "lastSync", s.lastSync());
        instant(g, "lastEvent", s.lastEvent());
        instant(g, "lastContact", s.lastContact());
        g.writeNumberField("fullSyncs", s.fullSyncs());
        g.writeNumberField("events", s.events());
        g.writeStringField("detail", s.detail());
        // Ports kept off the table and labels not honoured, by app: what an operator moving from
        // marathon-lb or Traefik must see without reading the log.
        g.writeObjectFieldStart("labelProblems");
        for (Map.Entry<String, List<String>> app : s.labelProblems().entrySet()) {
            strings(g, app.getKey(), app.getValue());
        }
        g.writeEndObject();
        // Tasks of routed apps that get no traffic (failing health checks, starting, draining): the table
        // holds only the tasks that do, and a task that is down must show as down, not vanish.
        g.writeObjectFieldStart("outOfRotation");
        for (Map.Entry<String, List<OutOfRotation>> route : s.outOfRotation().entrySet()) {
            g.writeArrayFieldStart(route.getKey());
            for (OutOfRotation t : route.getValue()) {
                g.writeStartObject();
                g.writeStringField("taskId", t.taskId());
                g.writeStringField("address", t.address());
                g.writeStringField("state", t.state());
                g.writeStringField("reason", t.reason());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    /** {@code "field":[...]}: the strings in their order. */
    static void strings(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    static void instant(JsonGenerator g, String field, Instant value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, value.toString());
        }
    }
}
