package io.mesoslb.server.observe;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import org.slf4j.Logger;

/**
 * The access log's own file ({@code access-log-file}): a Logback context apart from the application's,
 * so the file holds access-log lines only whatever the Logback configuration says, and closing one
 * server's file touches no other logger. Lines go through an {@link AsyncAppender} that never blocks
 * (as the bundled logback.xml's access appender) into a {@link RollingFileAppender} rotated by time and
 * size ({@link AccessLogRotation}): a new file each day, and at the first line after the current one has
 * reached the maximum size (Logback counts the bytes it writes, so this holds line by line), the old
 * ones gzipped as {@code <file>.<yyyy-MM-dd>.<n>.gz}, kept for some days and up to a total size.
 */
final class AccessLogFile implements AutoCloseable {

    private final LoggerContext context;
    private final Logger logger;
    private final RollingFileAppender<ILoggingEvent> file;

    private AccessLogFile(LoggerContext context, Logger logger, RollingFileAppender<ILoggingEvent> file) {
        this.context = context;
        this.logger = logger;
        this.file = file;
    }

    static AccessLogFile open(Path path, AccessLogRotation rotation) {
        LoggerContext context = new LoggerContext();
        context.setName("mesos-lb-access-log");
        // A context made by hand has no MDC adapter (SLF4J gives the default context its own).
        context.setMDCAdapter(new LogbackMDCAdapter());

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();

        RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
        file.setContext(context);
        file.setName("ACCESS_FILE");
        file.setFile(path.toString());
        file.setEncoder(encoder);
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(context);
        policy.setParent(file);
        policy.setFileNamePattern(path + ".%d{yyyy-MM-dd}.%i.gz");
        policy.setMaxFileSize(new FileSize(rotation.maxFileSize()));
        policy.setMaxHistory(rotation.maxHistory());
        policy.setTotalSizeCap(new FileSize(rotation.totalSizeCap()));
        policy.start();
        file.setRollingPolicy(policy);
        file.start();
        if (!file.isStarted()) {
            context.stop();
            throw new IllegalStateException("access-log-file " + path + " cannot be opened");
        }

        AsyncAppender async = new AsyncAppender();
        async.setContext(context);
        async.setName("ACCESS");
        async.setQueueSize(8192);
        async.setDiscardingThreshold(0);
        async.setNeverBlock(true);
        async.setIncludeCallerData(false);
        async.addAppender(file);
        async.start();

        ch.qos.logback.classic.Logger logger = context.getLogger(AccessLog.LOGGER_NAME);
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        logger.addAppender(async);
        return new AccessLogFile(context, logger, file);
    }

    Logger logger() {
        return logger;
    }

    RollingFileAppender<ILoggingEvent> appender() {
        return file;
    }

    /** Writes out what is queued and closes the file. */
    @Override
    public void close() {
        context.stop();
    }
}
