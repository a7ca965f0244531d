package io.mesoslb.server.admin;

import io.mesoslb.server.observe.ProxyMetrics;
import io.mesoslb.server.routes.HostlessRoutes;
import io.mesoslb.server.service.PortStatus;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mesoslb.core.Backend;
import io.mesoslb.core.BackendState;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteConflict;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.Ticker;
import io.mesoslb.discovery.DiscoveryState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code GET /routes}: every app with its vhosts and backends, the hosts several apps claim (who
 * serves each), the apps no Host leads to ({@code unroutable}), the table version and discovery's state.
 *
 * <p>A table is immutable, but its backends' ejection, requests in flight and counters are not, so
 * the JSON of a table is kept as a template: the bytes Jackson produced once per table version, cut
 * where each backend's {@code "ejected"} value goes. A request copies the pieces, writes the few
 * live bytes of each backend by hand and appends what changes without a new table.
 */
final class RoutesJson {
    private static final byte[] SERVICE_PORTS_FIELD = ",\"servicePorts\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UNROUTABLE_FIELD = ",\"unroutable\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DISCOVERY_FIELD = ",\"discovery\":".getBytes(StandardCharsets.US_ASCII);
    private static final String NOT_EJECTED = "false,\"ejectedUntil\":null";

    /** The pre-rendered JSON of one table: {@code pieces.length == states.length + 1}. */
    private record Template(long version, byte[][] pieces, BackendState[] states, int size) {
    }

    private final Ticker ticker;
    private final Clock clock;
    /** The per-backend counters; null without the proxy's meters. */
    private final ProxyMetrics metrics;
    private volatile Template cached;
    /** The service ports and how each stands; none until the balancer opens them. */
    private volatile Supplier<Map<Integer, PortStatus>> servicePorts = Map::of;
    /** The apps no Host leads to; none until the balancer says. */
    private volatile Supplier<HostlessRoutes.Snapshot> unroutable = () -> null;
    private volatile int templatesBuilt;

    RoutesJson(Ticker ticker, Clock clock) {
        this(ticker, clock, null);
    }

    /** @param metrics where each backend's requests and errors are counted, or null */
    RoutesJson(Ticker ticker, Clock clock, ProxyMetrics metrics) {
        this.ticker = ticker;
        this.clock = clock;
        this.metrics = metrics;
    }

    ByteBuf render(ByteBufAllocator alloc, RouteTable table, DiscoveryState discovery) throws IOException {
        Template t = template(table);
        long now = ticker.nanos();
        Instant wallNow = clock.instant();
        ByteBuf buf = alloc.buffer(t.size() + t.states().length * 96 + 512);
        try {
            buf.writeBytes(t.pieces()[0]);
            for (int i = 0; i < t.states().length; i++) {
                writeLive(buf, t.states()[i], now, wallNow);
                buf.writeBytes(t.pieces()[i + 1]);
            }
            buf.writeBytes(SERVICE_PORTS_FIELD);
            AdminJson.write(buf, g -> servicePortStatus(g, servicePorts.get()));
            buf.writeBytes(UNROUTABLE_FIELD);
            AdminJson.write(buf, g -> unroutable(g, unroutable.get()));
            buf.writeBytes(DISCOVERY_FIELD);
            AdminJson.write(buf, g -> AdminJson.discovery(g, discovery));
            buf.writeByte('}');
            return buf;
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    void servicePorts(Supplier<Map<Integer, PortStatus>> status) {
        servicePorts = status;
    }

    void unroutable(Supplier<HostlessRoutes.Snapshot> hostless) {
        unroutable = hostless;
    }

    /** How many templates were built: one per table version served. */
    int templatesBuilt() {
        return templatesBuilt;
    }

    private Template template(RouteTable table) throws IOException {
        Template t = cached;
        if (t == null || t.version() != table.version()) {
            t = build(table);
            cached = t;
            templatesBuilt++;
        }
        return t;
    }

    /**
     * A backend's {@code "ejected"} value and the fields after it that change without a new table:
     * {@code "ejectedUntil"}, {@code "active"} (requests in flight to it now), and {@code "requests"}
     * and {@code "errors"} (attempts so far; null without the proxy's meters).
     */
    private void writeLive(ByteBuf buf, BackendState s, long now, Instant wallNow) {
        if (!s.isEjected(now)) {
            buf.writeCharSequence(NOT_EJECTED, StandardCharsets.US_ASCII);
        } else {
            Instant until = wallNow.plusNanos(s.ejectedUntilNanos() - now).truncatedTo(ChronoUnit.MILLIS);
            buf.writeCharSequence("true,\"ejectedUntil\":\"" + until + '"', StandardCharsets.US_ASCII);
        }
        long[] counts = metrics == null ? null : metrics.backendCounts(s.backend());
        buf.writeCharSequence(",\"active\":" + s.inFlight()
                + (counts == null ? ",\"requests\":null,\"errors\":null"
                        : ",\"requests\":" + counts[0] + ",\"errors\":" + counts[1]), StandardCharsets.US_ASCII);
    }

    /**
     * {@code "unroutable":{"domain":...,"apps":[...]}}: the apps no Host leads to for want of a name
     * (no vhost label, no domain to derive one under); null before the balancer follows the table.
     */
    private static void unroutable(JsonGenerator g, HostlessRoutes.Snapshot hostless) throws IOException {
        if (hostless == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeStringField("domain", hostless.domain());
        AdminJson.strings(g, "apps", hostless.appIds());
        g.writeEndObject();
    }

    /**
     * {@code "servicePorts":[...]}: every port the table assigns, whether it listens, and why not
     * (taken, not permitted, outside the range); changes without a new table, so written per request.
     */
    private static void servicePortStatus(JsonGenerator g, Map<Integer, PortStatus> ports) throws IOException {
        g.writeStartArray();
        for (PortStatus p : ports.values()) {
            g.writeStartObject();
            g.writeNumberField("port", p.port());
            g.writeStringField("host", p.host());
            g.writeStringField("mode", p.mode().name().toLowerCase(Locale.ROOT));
            g.writeStringField("app", p.appId());
            g.writeBooleanField("listening", p.listening());
            if (p.problem() != null) {
                g.writeStringField("problem", p.problem());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** Hosts several apps claim: why an app gets no traffic on a name it asked for. */
    private static void conflicts(JsonGenerator g, RouteTable table) throws IOException {
        g.writeArrayFieldStart("conflicts");
        for (RouteConflict c : table.conflicts()) {
            g.writeStartObject();
            g.writeStringField("vhost", c.host());
            if (!c.path().isEmpty()) {
                g.writeStringField("path", c.path());
            }
            g.writeStringField("winner", c.winner());
            AdminJson.strings(g, "losers", c.losers());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static Template build(RouteTable table) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        List<Integer> cuts = new ArrayList<>();
        List<BackendState> states = new ArrayList<>();
        try (JsonGenerator g = AdminJson.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("version", table.version());
            g.writeArrayFieldStart("apps");
            for (Route r : table.routes()) {
                g.writeStartObject();
                g.writeStringField("id", r.appId());
                AdminJson.strings(g, "vhosts", r.vhosts());
                if (r.hostless()) {
                    g.writeBooleanField("hostless", true);
                }
                if (!r.paths().isEmpty()) {
                    AdminJson.strings(g, "paths", r.paths());
                }
                if (r.servicePort() != null) {
                    g.writeObjectFieldStart("servicePort");
                    g.writeNumberField("port", r.servicePort().port());
                    g.writeStringField("mode", r.servicePort().mode().name().toLowerCase(Locale.ROOT));
                    if (r.servicePort().bindHost() != null) {
                        g.writeStringField("bindHost", r.servicePort().bindHost());
                    }
                    g.writeEndObject();
                }
                if (r.options().sslCert() != null) {
                    // The file named; whether it could be used is in the log (it is read after the table is made).
                    g.writeStringField("sslCert", r.options().sslCert());
                }
                g.writeArrayFieldStart("backends");
                for (BackendState s : r.backends()) {
                    Backend b = s.backend();
                    g.writeStartObject();
                    g.writeStringField("host", b.host());
                    g.writeNumberField("port", b.port());
                    g.writeStringField("taskId", b.taskId());
                    g.writeFieldName("ejected");
                    // An empty raw value makes Jackson emit the ':' and consider the field written;
                    // the request fills in the value and "ejectedUntil" at this cut.
                    g.writeRawValue("");
                    g.flush();
                    cuts.add(out.size());
                    states.add(s);
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            conflicts(g, table);
            g.flush();
            cuts.add(out.size());
        }
        // Closing the generator closed the root object too; those bytes are past the last cut.
        byte[] all = out.toByteArray();
        byte[][] pieces = new byte[cuts.size()][];
        int from = 0;
        for (int i = 0; i < pieces.length; i++) {
            pieces[i] = Arrays.copyOfRange(all, from, cuts.get(i));
            from = cuts.get(i);
        }
        return new Template(table.version(), pieces, states.toArray(new BackendState[0]), cuts.get(cuts.size() - 1));
    }
}
