package io.mesoslb.server.testing;

import io.mesoslb.server.observe.AccessLog;

import ch.qos.logback.classic.Level;
import io.mesoslb.testkit.Await;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Turns the access log on for each test and keeps its lines in memory ({@code @RegisterExtension});
 * the logger is put back as it was afterwards. Register it before the proxy starts: a connection
 * decides when it opens whether it logs.
 */
public final class AccessLogCapture implements BeforeEachCallback, AfterEachCallback {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final LogCapture capture = LogCapture.of(AccessLog.LOGGER_NAME, Level.INFO);

    @Override
    public void beforeEach(ExtensionContext context) {
        capture.beforeEach(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        capture.afterEach(context);
    }

    /** The lines so far. */
    public List<String> lines() {
        return capture.messages();
    }

    /** The lines, once there are {@code count} of them: a line is written on an event loop as its exchange ends. */
    public List<String> await(int count) {
        Await.until(WAIT, () -> lines().size() >= count, () -> count + " access log lines, got " + lines());
        return lines();
    }
}
