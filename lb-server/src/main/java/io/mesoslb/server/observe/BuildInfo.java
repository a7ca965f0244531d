package io.mesoslb.server.observe;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What build is running: the version from the jar manifest ({@code Implementation-Version}) and the
 * git commit the build recorded in {@value #RESOURCE} (written by the build's {@code git log}; see
 * lb-server's pom). Outside a packaged jar the version is {@code dev}; without git at build time the
 * commit is {@code unknown}.
 */
public final class BuildInfo {
    /** The class-path resource the build writes: one line, {@code commit=<full sha>}. */
    public static final String RESOURCE = "/io/mesoslb/server/build.properties";

    private static final String COMMIT = readCommit();

    private BuildInfo() {
    }

    /** The Implementation-Version of the jar this class came from, or {@code dev} outside a packaged jar. */
    public static String version() {
        String v = BuildInfo.class.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? "dev" : v;
    }

    /** The git commit the build was made from, or {@code unknown}. */
    public static String commit() {
        return COMMIT;
    }

    private static String readCommit() {
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String c = p.getProperty("commit", "").trim();
            return c.matches("[0-9a-f]{7,64}") ? c : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }
}
