package io.mesoslb.server.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Keeps what a logger writes during each test in memory ({@code @RegisterExtension}), and puts the
 * logger back as it was afterwards. The logger is taken off the console meanwhile.
 */
public final class LogCapture implements BeforeEachCallback, AfterEachCallback {
    private final Logger logger;
    private final Level level;
    private final Logger alsoRoot;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Level savedLevel;
    private boolean savedAdditive;

    private LogCapture(String loggerName, Level level, boolean alsoRoot) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
        this.level = level;
        this.alsoRoot = alsoRoot ? (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) : null;
    }

    /** One logger at {@code level} and above. */
    public static LogCapture of(String loggerName, Level level) {
        return new LogCapture(loggerName, level, false);
    }

    /**
     * Everything mesos-lb logs, down to TRACE, and what other libraries log at the root's level: for
     * tests about what must never be logged, where a secret kept out of INFO but printed at DEBUG, or
     * in a logged exception, is still printed.
     */
    public static LogCapture everything() {
        return new LogCapture("io.mesoslb", Level.TRACE, true);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        savedLevel = logger.getLevel();
        savedAdditive = logger.isAdditive();
        logger.setLevel(level);
        logger.setAdditive(false);
        appender.start();
        logger.addAppender(appender);
        if (alsoRoot != null) {
            alsoRoot.addAppender(appender);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (alsoRoot != null) {
            alsoRoot.detachAppender(appender);
        }
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(savedLevel);
        logger.setAdditive(savedAdditive);
    }

    /** The messages so far. */
    public List<String> messages() {
        return map(ILoggingEvent::getFormattedMessage);
    }

    /** Each event so far as its logger, level, message and the stack trace of any exception logged with it. */
    public List<String> lines() {
        return map(LogCapture::text);
    }

    private List<String> map(Function<ILoggingEvent, String> f) {
        // Appends happen under the appender's lock, on many threads: read under it too.
        synchronized (appender) {
            return appender.list.stream().map(f).toList();
        }
    }

    private static String text(ILoggingEvent e) {
        String line = e.getLoggerName() + " " + e.getLevel() + " " + e.getFormattedMessage();
        return e.getThrowableProxy() == null ? line : line + "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy());
    }
}
