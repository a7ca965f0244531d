package io.mesoslb.server.observe;

import io.mesoslb.server.testing.AccessLogCapture;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mesoslb.testkit.Await;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadPoolExecutor;
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
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void writesOneCombinedLinePlusVhostBackendAndDuration() throws Exception {
        log.log(InetAddress.getByName("203.0.113.9"), START, "GET", "/x?y=1", "HTTP/1.1", 200, 512,
                "https://ref.example/", "curl/8.5", "api.example.com", "/api", "10.0.0.1:31000", 12_345_678);

        assertThat(captured.lines()).containsExactly(
                "203.0.113.9 - - [04/May/2026:08:00:00 +0000] \"GET /x?y=1 HTTP/1.1\" 200 512 "
                        + "\"https://ref.example/\" \"curl/8.5\" \"api.example.com\" 10.0.0.1:31000 12.345");
        // The name the shipped logback.xml configures.
        assertThat(AccessLog.LOGGER_NAME).isEqualTo("mesos-lb.access");
    }

    @Test
    void missingFieldsAreDashes() throws Exception {
        log.log(InetAddress.getByName("2001:db8::1"), START + 1000, "GET", "/", "HTTP/1.0", 404, 0, null, "", null,
                null, null, 7_000);

        assertThat(captured.lines().get(0)).isEqualTo(
                "2001:db8::1 - - [04/May/2026:08:00:01 +0000] \"GET / HTTP/1.0\" 404 - \"-\" \"-\" \"-\" - 0.007");
    }

    @Test
    void clientTextCannotForgeLines() {
        log.log(null, START, "GET", "/a\"b\\c\n127.0.0.1 fake", "HTTP/1.1", 200, 1, null, "ua\u00ff\u0007", "h", "/a", "b",
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
        off.log(null, START, "GET", "/", "HTTP/1.1", 200, 1, null, null, null, null, null, 1);
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

        async.log(null, START, "GET", "/one", "HTTP/1.1", 200, 3, null, null, "a.example.com", "/a", "10.0.0.1:80", 1);
        async.log(null, START, "GET", "/two", "HTTP/1.1", 200, 3, null, null, "a.example.com", "/a", "10.0.0.1:80", 1);
        context.stop(); // drains the async queue

        assertThat(Files.readAllLines(file)).hasSize(2).allMatch(l -> l.startsWith("- - - [04/May/2026:08:00:00"));
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .noneMatch(s -> s.getEffectiveLevel() >= ch.qos.logback.core.status.Status.WARN);
    }

    @Test
    void jsonLinesCarryTheSameFieldsPlusAppAndExactStatus() throws Exception {
        AccessLog json = new AccessLog(logger, ZoneOffset.UTC, true, null);
        json.log(InetAddress.getByName("203.0.113.9"), START, "GET", "/x?y=1", "HTTP/1.1", 502, 512,
                "https://ref.example/", "curl/8.5", "api.example.com", "/api", "10.0.0.1:31000", 12_345_678);
        json.log(null, START, "GET", "/", "HTTP/1.0", 404, 0, null, null, "nobody.example.com", null, null, 7_000);

        List<String> lines = captured.lines();
        assertThat(lines).hasSize(2);
        JsonNode routed = MAPPER.readTree(lines.get(0));
        assertThat(routed.path("time").asText()).isEqualTo("2026-05-04T08:00:00.250Z");
        assertThat(routed.path("client").asText()).isEqualTo("203.0.113.9");
        assertThat(routed.path("method").asText()).isEqualTo("GET");
        assertThat(routed.path("uri").asText()).isEqualTo("/x?y=1");
        assertThat(routed.path("protocol").asText()).isEqualTo("HTTP/1.1");
        assertThat(routed.path("status").isInt()).isTrue();
        assertThat(routed.path("status").asInt()).isEqualTo(502);
        assertThat(routed.path("bytes").asLong()).isEqualTo(512);
        assertThat(routed.path("referer").asText()).isEqualTo("https://ref.example/");
        assertThat(routed.path("user_agent").asText()).isEqualTo("curl/8.5");
        assertThat(routed.path("vhost").asText()).isEqualTo("api.example.com");
        assertThat(routed.path("app").asText()).isEqualTo("/api");
        assertThat(routed.path("backend").asText()).isEqualTo("10.0.0.1:31000");
        assertThat(routed.path("duration_ms").asDouble()).isEqualTo(12.345);

        JsonNode unrouted = MAPPER.readTree(lines.get(1));
        assertThat(unrouted.path("app").isNull()).isTrue();
        assertThat(unrouted.path("backend").isNull()).isTrue();
        assertThat(unrouted.path("referer").isNull()).isTrue();
        assertThat(unrouted.path("status").asInt()).isEqualTo(404);
    }

    @Test
    void jsonEscapesClientText() throws Exception {
        AccessLog json = new AccessLog(logger, ZoneOffset.UTC, true, null);
        String uri = "/a\"b\\c\n{\"status\":200}\u0000";
        String agent = "ua\u00ff\u0007\u007f";
        json.log(null, START, "GET", uri, "HTTP/1.1", 200, 1, null, agent, "h", "/a", "b", 1);

        String line = captured.lines().get(0);
        assertThat(line).doesNotContain("\n").doesNotContain("\u0000").doesNotContain("\u00ff");
        JsonNode n = MAPPER.readTree(line);
        assertThat(n.path("uri").asText()).isEqualTo(uri);
        assertThat(n.path("user_agent").asText()).isEqualTo(agent);
        assertThat(n.path("status").asInt()).isEqualTo(200);
        assertThat(n.size()).isEqualTo(13);
    }

    @Test
    void tcpConnectionsHaveAJsonLineToo() throws Exception {
        AccessLog json = new AccessLog(logger, ZoneOffset.UTC, true, null);
        json.logConnection(InetAddress.getByName("203.0.113.9"), START, 10001, "/redis", "10.0.0.1:31000", 88, 512,
                12_345_678, "client \"closed\"");

        JsonNode n = MAPPER.readTree(captured.lines().get(0));
        assertThat(n.path("protocol").asText()).isEqualTo("TCP");
        assertThat(n.path("port").asInt()).isEqualTo(10001);
        assertThat(n.path("app").asText()).isEqualTo("/redis");
        assertThat(n.path("backend").asText()).isEqualTo("10.0.0.1:31000");
        assertThat(n.path("bytes").asLong()).isEqualTo(512);
        assertThat(n.path("bytes_in").asLong()).isEqualTo(88);
        assertThat(n.path("duration_ms").asDouble()).isEqualTo(12.345);
        assertThat(n.path("end").asText()).isEqualTo("client \"closed\"");
    }

    @Test
    void accessLogFileRollsAtTheFirstLineAfterItReachesTheMaxSize(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("access.log");
        String line = "x".repeat(255); // 256 bytes with its newline: four of them are 1KB
        try (AccessLogFile f = AccessLogFile.open(file, new AccessLogRotation(1024, 3, 1L << 20))) {
            RollingFileAppender<ILoggingEvent> appender = f.appender();
            assertThat(appender.isStarted()).isTrue();
            assertThat(appender.getFile()).isEqualTo(file.toString());
            SizeAndTimeBasedRollingPolicy<?> policy = (SizeAndTimeBasedRollingPolicy<?>) appender.getRollingPolicy();
            assertThat(policy.getFileNamePattern()).isEqualTo(file + ".%d{yyyy-MM-dd}.%i.gz");
            assertThat(policy.getMaxHistory()).isEqualTo(3);

            for (int i = 1; i <= 4; i++) {
                f.logger().info(i + line.substring(1));
            }
            // Written by the async appender's thread: wait for the bytes. Reaching the size rolls nothing yet.
            Await.until(Duration.ofSeconds(10), () -> size(file) == 1024, "4 lines (1024 bytes) in " + file);
            assertThat(rolledFiles(tmp)).isEmpty();

            f.logger().info("5" + line.substring(1));
            // Compressed on a thread of Logback's own.
            Await.until(Duration.ofSeconds(10), () -> !rolledFiles(tmp).isEmpty(), "a rolled access log in " + tmp);
        }
        List<Path> rolled = rolledFiles(tmp);
        assertThat(rolled).hasSize(1);
        assertThat(gunzippedLines(rolled.get(0))).extracting(l -> l.charAt(0)).containsExactly('1', '2', '3', '4');
        assertThat(Files.readAllLines(file)).extracting(l -> l.charAt(0)).containsExactly('5');
        assertThat(captured.lines()).as("nothing on the mesos-lb.access logger of the application").isEmpty();
    }

    @Test
    void rolledFilesOverTheTotalSizeCapAreDeletedOldestFirst(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("access.log");
        java.util.Random random = new java.util.Random(1);
        try (AccessLogFile f = AccessLogFile.open(file, new AccessLogRotation(1024, 3, 2048))) {
            // 256-byte lines of random text, which gzips to about three quarters: every 4 lines make a rolled
            // file of about 800 bytes, 32 lines make 7 of them (.0 to .6), and no 3 fit under the 2 KB cap.
            //
            // Each roll hands its compression to one Logback thread pool and its clean-up to another, and
            // Logback expects rolls to come slower than those jobs end: clean-ups running side by side share
            // one mutable Calendar (the remover's RollingCalendar, which gives wrong dates when two threads use
            // it), and a clean-up that takes today for another day counts today's files twice and can delete
            // every one of them (CI stop 24: no rolled file left). So each line waits for the jobs of the rolls
            // so far to have ended, as rolls a megabyte apart do. Finished jobs are counted, not pending ones:
            // a pool's count of submitted jobs misses one a thread has taken and not yet begun.
            var context = f.appender().getContext();
            ThreadPoolExecutor compressions = (ThreadPoolExecutor) context.getExecutorService();
            ThreadPoolExecutor cleanUps = (ThreadPoolExecutor) context.getAlternateExecutorService();
            for (int n = 0; n < 32; n++) {
                log(f, random, n);
                long written = (n % 4 + 1) * 256L;
                long rolls = n / 4;
                int line = n;
                Await.until(Duration.ofSeconds(10), () -> size(file) == written
                        && compressions.getCompletedTaskCount() == rolls && cleanUps.getCompletedTaskCount() == rolls,
                        () -> "line " + line + " written, and the compressions (" + compressions.getCompletedTaskCount()
                                + ") and clean-ups (" + cleanUps.getCompletedTaskCount() + ") of " + rolls
                                + " rolls ended, in " + tmp);
            }
            assertThat(compressionDone(tmp)).as("every rolled file compressed").isTrue();
            assertThat(rolledFiles(tmp)).extracting(AccessLogTest::index).contains(6);
            // The last roll's clean-up ran beside its own compression, so it may have counted the newest file
            // before it was whole: the cap is checked with the remover run once more, alone, now that it is.
            SizeAndTimeBasedRollingPolicy<?> policy =
                    (SizeAndTimeBasedRollingPolicy<?>) f.appender().getRollingPolicy();
            policy.getTimeBasedFileNamingAndTriggeringPolicy().getArchiveRemover()
                    .cleanAsynchronously(Instant.now()).get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        List<Path> rolled = rolledFiles(tmp);
        assertThat(rolled.stream().mapToLong(AccessLogTest::size).sum()).as("rolled bytes").isLessThanOrEqualTo(2048);
        // What is left is the newest: consecutive indices up to the last roll, the oldest deleted.
        List<Integer> indices = rolled.stream().map(AccessLogTest::index).sorted().toList();
        assertThat(indices).isNotEmpty().hasSizeLessThan(3).doesNotContain(0, 1, 2, 3, 4);
        assertThat(indices.get(indices.size() - 1)).isEqualTo(6);
        assertThat(indices.get(indices.size() - 1) - indices.get(0)).isEqualTo(indices.size() - 1);
        assertThat(gunzippedLines(tmp.resolve(rolledName(rolled, 6)))).extracting(l -> l.substring(0, 3))
                .containsExactly("24:", "25:", "26:", "27:");
        assertThat(Files.readAllLines(file)).extracting(l -> l.substring(0, 3))
                .containsExactly("28:", "29:", "30:", "31:");
    }

    private static String rolledName(List<Path> rolled, int index) {
        return rolled.stream().filter(p -> index(p) == index).findFirst().orElseThrow().getFileName().toString();
    }

    private static void log(AccessLogFile f, java.util.Random random, int n) {
        byte[] noise = new byte[189];
        random.nextBytes(noise);
        f.logger().info(String.format("%02d:", n) + java.util.Base64.getEncoder().encodeToString(noise));
    }

    /**
     * No rolled file is still waiting for its compression: nothing beside the active file but
     * compressed ones (Logback renames a rolled file to a temporary name, then compresses it).
     */
    private static boolean compressionDone(Path dir) {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).allMatch(n -> n.equals("access.log") || n.endsWith(".gz"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int index(Path rolled) {
        String name = rolled.getFileName().toString();
        String withoutGz = name.substring(0, name.length() - ".gz".length());
        return Integer.parseInt(withoutGz.substring(withoutGz.lastIndexOf('.') + 1));
    }

    /** The file's size, 0 while it does not exist (Logback renames the active file away at each roll). */
    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (java.nio.file.NoSuchFileException e) {
            return 0;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> gunzippedLines(Path gz) throws java.io.IOException {
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(gz))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        }
    }

    private static List<Path> rolledFiles(Path dir) {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("access\\.log\\.\\d{4}-\\d{2}-\\d{2}\\.\\d+\\.gz"))
                    .sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void defaultConstructorUsesTheAccessLogger() {
        new AccessLog().log(null, START, "GET", "/", "HTTP/1.1", 200, 1, null, null, null, null, null, 1);
        assertThat(captured.lines()).hasSize(1);
    }
}
