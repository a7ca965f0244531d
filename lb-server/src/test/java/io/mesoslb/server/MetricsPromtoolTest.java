package io.mesoslb.server;

import io.mesoslb.server.observe.PrometheusText;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mesoslb.core.Backend;
import io.mesoslb.testkit.LoopbackPort;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The live {@code /metrics} of a running server, after traffic of each kind (200, 404, 502, 503 and a
 * connect retry), passes {@code promtool check metrics}, and the shipped alert rules pass
 * {@code promtool check rules}. Skipped where promtool is not installed, except under CI
 * ({@code CI=true}), which must prove it (.ci/run installs Debian's prometheus package).
 */
class MetricsPromtoolTest {
    /** Debian's path; {@code PROMTOOL_BIN} overrides it (e.g. to check the skip and CI rules). */
    private static final Path PROMTOOL = Path.of(System.getenv().getOrDefault("PROMTOOL_BIN", "/usr/bin/promtool"));
    /** The repository's root: the tests run in lb-server. */
    private static final Path RULES = Path.of("..", "ops", "prometheus", "mesos-lb.rules.yml");
    private static final Path DASHBOARD = Path.of("..", "ops", "grafana", "mesos-lb.json");
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Closer closer = new Closer();

    private static void requirePromtool() {
        if (Files.isExecutable(PROMTOOL)) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(PROMTOOL + " is missing, but CI=true requires this test to run: install Debian's prometheus package");
        }
        assumeTrue(false, PROMTOOL + " is not installed (Debian's prometheus package); skipping the promtool checks outside CI");
    }

    static String scrape(ProxyFixture proxy) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + proxy.server.adminAddress().getPort() + "/metrics");
        HttpResponse<String> r = proxy.client.send(HttpRequest.newBuilder(uri).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** A server that has answered 200, 404, 502 and 503 and retried a connect, and its scrape. */
    static String liveMetricsAfterTraffic(Closer closer) throws Exception {
        TestOrigin up = closer.use(TestOrigin.marker("up"));
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.adminPort(0).outlierConsecutiveFailures(0)))
                .app("/ok", up)
                .app("/down", new Backend("127.0.0.1", closer.use(LoopbackPort.refusing()).port(), "down.1", "/down"))
                .app("/empty", new Backend[0])
                .app("/flaky", new Backend("127.0.0.1", closer.use(LoopbackPort.refusing()).port(), "flaky.1", "/flaky"),
                        up.backend("/flaky"));
        assertThat(proxy.get("ok.test.local", "/").statusCode()).isEqualTo(200);
        assertThat(proxy.get("nobody.test.local", "/").statusCode()).isEqualTo(404);
        assertThat(proxy.get("down.test.local", "/").statusCode()).isEqualTo(502);
        assertThat(proxy.get("empty.test.local", "/").statusCode()).isEqualTo(503);
        // Round robin over two: within two requests one meets the refusing backend first and is retried.
        for (int i = 0; i < 2; i++) {
            assertThat(proxy.get("flaky.test.local", "/").statusCode()).isEqualTo(200);
        }
        return scrape(proxy);
    }

    @Test
    void liveMetricsPassPromtool() throws Exception {
        requirePromtool();
        String metrics = liveMetricsAfterTraffic(closer);
        PrometheusText m = PrometheusText.parse(metrics);
        assertThat(m.get("mesoslb_retries_total{app=\"/flaky\",kind=\"connect\"}")).isGreaterThanOrEqualTo(1.0);
        Result r = run(metrics, PROMTOOL.toString(), "check", "metrics");
        assertThat(r.exit).as("promtool check metrics said:%n%s", r.output).isZero();
    }

    @Test
    void systemMetersPromtoolRejectsAreRenamed() throws Exception {
        PrometheusText m = PrometheusText.parse(liveMetricsAfterTraffic(closer));
        assertThat(m.samples().keySet()).noneMatch(k -> k.startsWith("process_cpu_time_ns") || k.startsWith("system_cpu_count"))
                .anyMatch(k -> k.startsWith("system_cpus_available"))
                .anyMatch(k -> k.startsWith("process_cpu_seconds_total"));
        assertThat(m.get("mesoslb_requests_total{app=\"/down\",status=\"502\",vhost=\"down.test.local\"}")).isEqualTo(1.0);
        assertThat(m.get("mesoslb_requests_total{app=\"/empty\",status=\"503\",vhost=\"empty.test.local\"}")).isEqualTo(1.0);
        assertThat(m.get("mesoslb_requests_total{app=\"\",status=\"404\",vhost=\"\"}")).isEqualTo(1.0);
        assertThat(m.get("mesoslb_retries_total{app=\"/flaky\",kind=\"connect\"}")).isEqualTo(1.0);
        assertThat(m.samples().keySet()).anyMatch(k -> k.startsWith("mesoslb_backend_errors_total{app=\"/flaky\""));
    }

    @Test
    void shippedAlertRulesPassPromtool() throws Exception {
        requirePromtool();
        assertThat(RULES).exists();
        Result r = run("", PROMTOOL.toString(), "check", "rules", RULES.toString());
        assertThat(r.exit).as("promtool check rules said:%n%s", r.output).isZero();
        assertThat(r.output).doesNotContain("0 rules found");
    }

    /** The dashboard and the alert rules ask only for series a live server exposes (promtool not needed). */
    @Test
    void dashboardAndRulesUseLiveMetricNames() throws Exception {
        Set<String> live = new HashSet<>();
        for (String key : PrometheusText.parse(liveMetricsAfterTraffic(closer)).samples().keySet()) {
            live.add(key.replaceAll("\\{.*", ""));
        }
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("panels").size()).isGreaterThan(5);
        StringBuilder exprs = new StringBuilder();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                exprs.append(target.path("expr").asText()).append('\n');
            }
        }
        exprs.append(Files.readString(RULES));
        Matcher m = Pattern.compile("mesoslb_[a-z_]+").matcher(exprs);
        Set<String> used = new TreeSet<>();
        while (m.find()) {
            used.add(m.group());
        }
        // Service-port meters need an open service port to show, label problems an app with some (ProxyMetricsTest).
        assertThat(used).isNotEmpty().allSatisfy(name -> assertThat(live.contains(name) || name.startsWith("mesoslb_service_")
                        || name.equals("mesoslb_label_problems"))
                .as("%s is exposed", name).isTrue());
    }

    private record Result(int exit, String output) {
    }

    private static Result run(String stdin, String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = p.getInputStream()) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                in.transferTo(b);
                return b.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS));
    }
}
