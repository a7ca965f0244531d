package io.mesoslb.server.observe;

import io.mesoslb.server.testing.AccessLogCapture;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class AccessLogTest {
    private static final long START = Instant.parse("2026-05-04T08:00:00.250Z").toEpochMilli();

    @RegisterExtension
    final AccessLogCapture captured = new AccessLogCapture();
    private final Logger logger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER_NAME);
    private final AccessLog log = new AccessLog(logger, ZoneOffset.UTC);

    @Test
    void writesOneCombinedLinePlusVhostBackendAndDuration() throws Exception {
        log.log(InetAddress.getByName("203.0.113.9"), START, "GET", "/x?y=1", "HTTP/1.1", 200, 512,
                "https://ref.example/", "curl/8.5", "api.example.com", "10.0.0.1:31000", 12_345_678);

        assertThat(captured.lines()).containsExactly(
                "203.0.113.9 - - [04/May/2026:08:00:00 +0000] \"GET /x?y=1 HTTP/1.1\" 200 512 "
                        + "\"https://ref.example/\" \"curl/8.5\" \"api.example.com\" 10.0.0.1:31000 12.345");
        // The name the shipped logback.xml configures.
        assertThat(AccessLog.LOGGER_NAME).isEqualTo("mesos-lb.access");
    }

    @Test
    void missingFieldsAreDashes() throws Exception {
        log.log(InetAddress.getByName("2001:db8::1"), START + 1000, "GET", "/", "HTTP/1.0", 404, 0, null, "", null,
                null, 7_000);

        assertThat(captured.lines().get(0)).isEqualTo(
                "2001:db8::1 - - [04/May/2026:08:00:01 +0000] \"GET / HTTP/1.0\" 404 - \"-\" \"-\" \"-\" - 0.007");
    }

    @Test
    void clientTextCannotForgeLines() {
        log.log(null, START, "GET", "/a\"b\\c\n127.0.0.1 fake", "HTTP/1.1", 200, 1, null, "ua\u00ff\u0007", "h", "b",
                1_000_000_000L);

        assertThat(captured.lines().get(0)).isEqualTo(
                "- - - [04/May/2026:08:00:00 +0000] \"GET /a\\\"b\\\\c\\x0A127.0.0.1 fake HTTP/1.1\" 200 1 \"-\" "
                        + "\"ua\\xFF\\x07\" \"h\" b 1000.000");
    }

    @Test
    void nothingIsFormattedWhenDisabled() {
        logger.setLevel(Level.OFF);
        AccessLog off = new AccessLog(logger, ZoneOffset.UTC);

        assertThat(off.isEnabled()).isFalse();
        off.log(null, START, "GET", "/", "HTTP/1.1", 200, 1, null, null, null, null, 1);
        assertThat(captured.lines()).isEmpty();
    }

    @Test
    void proposedAsyncLogbackWiringWritesTheLines(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("access.log");
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter()); // a fresh context has none; the real one gets it from SLF4J
        context.putProperty("accessLogFile", file.toString());
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);
        joran.doConfigure(AccessLogTest.class.getResource("access-logback.xml"));
        AccessLog async = new AccessLog(context.getLogger(AccessLog.LOGGER_NAME), ZoneOffset.UTC);

        async.log(null, START, "GET", "/one", "HTTP/1.1", 200, 3, null, null, "a.example.com", "10.0.0.1:80", 1);
        async.log(null, START, "GET", "/two", "HTTP/1.1", 200, 3, null, null, "a.example.com", "10.0.0.1:80", 1);
        context.stop(); // drains the async queue

        assertThat(Files.readAllLines(file)).hasSize(2).allMatch(l -> l.startsWith("- - - [04/May/2026:08:00:00"));
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .noneMatch(s -> s.getEffectiveLevel() >= ch.qos.logback.core.status.Status.WARN);
    }

    @Test
    void defaultConstructorUsesTheAccessLogger() {
        new AccessLog().log(null, START, "GET", "/", "HTTP/1.1", 200, 1, null, null, null, null, 1);
        assertThat(captured.lines()).hasSize(1);
    }
}
