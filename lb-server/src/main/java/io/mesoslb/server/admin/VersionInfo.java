package io.mesoslb.server.admin;

import io.mesoslb.server.observe.BuildInfo;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/** {@code GET /version}: what is running, for humans and deployment checks. */
public final class VersionInfo {
    public static final String NAME = "mesos-lb";

    private final Supplier<String> transport;

    VersionInfo(Supplier<String> transport) {
        this.transport = transport;
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
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
