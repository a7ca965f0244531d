package io.mesoslb.server.admin;

import io.mesoslb.server.observe.ProxyMetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.discovery.DiscoveryState;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders the status page in headless Chromium, so the page's JavaScript really fetches and draws
 * the routes. Skipped where Chromium is not installed, except under CI ({@code CI=true}), which must
 * prove it.
 */
class StatusPageBrowserTest {
    /** Debian's path; {@code CHROMIUM_BIN} overrides it (e.g. to check the skip and CI rules). */
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM_BIN", "/usr/bin/chromium"));
    private static final long DEADLINE_SECONDS = 120;

    @TempDir
    Path tmp;

    private static void requireChromium() {
        if (Files.isExecutable(CHROMIUM)) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(CHROMIUM + " is missing, but CI=true requires this test to run: install Debian's chromium");
        }
        assumeTrue(false, CHROMIUM + " is not installed; skipping the browser test outside CI");
    }

    @Test
    void statusPageRendersRoutesFromTheLiveServer() throws Exception {
        requireChromium();
        RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"));
        holder.update(AdminServerTest.twoApps());
        holder.current().routeForApp("/shop/api").backends().get(1).ejectUntil(System.nanoTime() + 600_000_000_000L);
        DiscoveryState discovery = new DiscoveryState("http://marathon.test:8080", true, true, Instant.now(), null, 1, 0,
                "streaming").withLabelProblems(java.util.Map.of("/locked",
                        java.util.List.of("/locked: HAPROXY_0_AUTH is not realm:user:hash: not routed")));
        ReadinessState readiness = new ReadinessState(() -> discovery);
        readiness.proxyListening();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ProxyMetrics metrics = new ProxyMetrics(registry, holder, () -> discovery);
        for (int i = 0; i < 7; i++) {
            metrics.recordRequest("/web", 200, 1_000_000);
        }
        try (AdminServer server = new AdminServer(new InetSocketAddress("127.0.0.1", 0), holder, () -> discovery,
                readiness, registry, metrics, () -> "nio")) {
            int port = server.start();

            String dom = dumpDom("http://127.0.0.1:" + port + "/");

            assertThat(dom).contains("api.shop.example.com", "www.example.com", "/shop/api", "/web",
                    "10.0.0.1:31001", "10.0.0.2:31002 (ejected)", "10.0.0.3:31003", "1 ejected",
                    "http://marathon.test:8080", "synced, connected", ">healthy<", "table v1");
            // Only the script produces rows; the static page has none.
            assertThat(dom).contains("class=\"app-row\"");
            assertThat(dom).contains("Labels of /locked", "HAPROXY_0_AUTH is not realm:user:hash: not routed");
            assertThat(dom).containsPattern("<td class=\"num\">7</td>");
        } finally {
            metrics.close();
            registry.close();
        }
    }

    private String dumpDom(String url) throws IOException, InterruptedException {
        Path out = tmp.resolve("dom.html");
        Path err = tmp.resolve("chromium.log");
        Process p = new ProcessBuilder(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + tmp.resolve("profile"), "--virtual-time-budget=5000",
                "--dump-dom", url))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        try {
            if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                fail("chromium did not finish within " + DEADLINE_SECONDS + " s; its log:\n" + tail(err));
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String dom = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0 || dom.isBlank()) {
            fail("chromium exited " + p.exitValue() + " with " + dom.length() + " chars of DOM; its log:\n" + tail(err));
        }
        return dom;
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(none)";
        }
        String s = Files.readString(log, StandardCharsets.UTF_8);
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }
}
