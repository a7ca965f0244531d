package io.mesoslb.server.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mesoslb.server.metrics.AccessLog;
import io.mesoslb.testkit.Await;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Turns the access log on for each test and keeps its lines in memory ({@code @RegisterExtension});
 * the logger is put back as it was afterwards. Register it before the proxy starts: a connection
 * decides when it opens whether it logs.
 */
public final class AccessLogCapture implements BeforeEachCallback, AfterEachCallback {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Logger logger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Level savedLevel;
    private boolean savedAdditive;

    @Override
    public void beforeEach(ExtensionContext context) {
        savedLevel = logger.getLevel();
        savedAdditive = logger.isAdditive();
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        appender.start();
        logger.addAppender(appender);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(savedLevel);
        logger.setAdditive(savedAdditive);
    }

    /** The lines so far. */
    public List<String> lines() {
        // The appender adds under its own lock, on the event loops: read under it too.
        synchronized (appender) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** The lines, once there are {@code count} of them: a line is written on an event loop as its exchange ends. */
    public List<String> await(int count) {
        Await.until(WAIT, () -> lines().size() >= count, () -> count + " access log lines, got " + lines());
        return lines();
    }
}
