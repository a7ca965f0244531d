package io.mesoslb.server.admin;

import io.mesoslb.server.observe.BuildInfo;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/** {@code GET /version}: what is running and since when, for humans and deployment checks. */
public final class VersionInfo {
    public static final String NAME = "mesos-lb";

    private final Supplier<String> transport;
    private final Clock clock;
    private final Instant startedAt;

    VersionInfo(Supplier<String> transport, Clock clock) {
        this(transport, clock, Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime()));
    }

    /** @param startedAt when the process started */
    VersionInfo(Supplier<String> transport, Clock clock, Instant startedAt) {
        this.transport = transport;
        this.clock = clock;
        this.startedAt = startedAt;
    }

    /** The Implementation-Version of the jar this class came from, or {@code dev} outside a packaged jar. */
    public static String version() {
        return BuildInfo.version();
    }

    /** The git commit the build was made from, or {@code unknown}. */
    public static String commit() {
        return BuildInfo.commit();
    }

    byte[] json() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = AdminJson.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("name", NAME);
            g.writeStringField("version", version());
            g.writeStringField("commit", commit());
            g.writeStringField("java", System.getProperty("java.version"));
            g.writeStringField("javaVendor", System.getProperty("java.vendor"));
            g.writeStringField("transport", transport.get());
            g.writeStringField("startedAt", startedAt.toString());
            g.writeNumberField("uptimeSeconds", Math.max(0, Duration.between(startedAt, clock.instant()).toSeconds()));
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
