package io.mesoslb.server.admin;

import io.mesoslb.server.observe.BuildInfo;
import io.mesoslb.server.observe.ProxyMetrics;
import io.mesoslb.server.routes.HostlessRoutes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mesoslb.core.App;
import io.mesoslb.core.Backend;
import io.mesoslb.core.BackendState;
import io.mesoslb.core.RouteSpec;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.discovery.DiscoveryState;
import io.mesoslb.discovery.OutOfRotation;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders the status page in headless Chromium, so the page's JavaScript really fetches and draws
 * the routes: the DOM it leaves ({@code --dump-dom}) is checked for what an operator must read, and a
 * screenshot ({@code --screenshot}) for being drawn at all. The filter and sort are given in the
 * address, as a link would, so no click is needed. Skipped where Chromium is not installed, except
 * under CI ({@code CI=true}), which must prove it.
 */
class StatusPageBrowserTest {
    /** Debian's path; {@code CHROMIUM_BIN} overrides it (e.g. to check the skip and CI rules). */
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM_BIN", "/usr/bin/chromium"));
    private static final long DEADLINE_SECONDS = 120;
    private static final int WIDTH = 1280;
    private static final int HEIGHT = 1400;
    /** The unroutable-apps banner's background, #fff8c5. */
    private static final int BANNER_RGB = 0xfff8c5;
    private static final Pattern ROUTE = Pattern.compile("<tbody class=\"route\" data-app=\"([^\"]*)\"( hidden=\"\")?>");

    @TempDir
    Path tmp;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        registry.close();
    }

    private static void requireChromium() {
        if (Files.isExecutable(CHROMIUM)) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(CHROMIUM + " is missing, but CI=true requires this test to run: install Debian's chromium");
        }
        assumeTrue(false, CHROMIUM + " is not installed; skipping the browser test outside CI");
    }

    private static Backend backend(String app, int n) {
        return new Backend("10.0.0." + n, 31_000 + n, app.substring(1).replace('/', '_') + ".t" + n, app);
    }

    @Test
    void statusPageShowsRoutesBackendsLatencyVersionAndTheUnroutableWarning() throws Exception {
        requireChromium();
        // No domain: apps without a vhost label get no host name, which the page must warn about.
        RouteTableHolder holder = new RouteTableHolder(new VhostNaming(null));
        holder.update(List.of(
                new App("/shop/api", RouteSpec.forHosts("api.shop.example.com"),
                        List.of(backend("/shop/api", 1), backend("/shop/api", 2), backend("/shop/api", 3))),
                new App("/web", RouteSpec.forHosts("www.example.com"), List.of(backend("/web", 4))),
                new App("/shop/cart", RouteSpec.forHosts("shop.example.com").withPaths(List.of("/cart")),
                        List.of(backend("/shop/cart", 5))),
                new App("/shop/checkout", RouteSpec.forHosts("shop.example.com").withPaths(List.of("/checkout")),
                        List.of(backend("/shop/checkout", 6))),
                new App("/worker", List.of(backend("/worker", 7))),
                new App("/batch", List.of())));
        List<BackendState> api = holder.current().routeForApp("/shop/api").backends();
        api.get(1).ejectUntil(System.nanoTime() + TimeUnit.MINUTES.toNanos(10));
        DiscoveryState discovery = new DiscoveryState("http://marathon.test:8080", true, true, Instant.now(), null, 1, 0,
                "streaming").withLabelProblems(Map.of("/locked",
                        List.of("/locked: HAPROXY_0_AUTH is not realm:user:hash: not routed")))
                .withOutOfRotation(Map.of("/shop/api", List.of(
                        new OutOfRotation("shop_api.t8", "10.0.0.8:31008", OutOfRotation.DOWN,
                                "failing Marathon health checks"),
                        new OutOfRotation("shop_api.t9", "10.0.0.9:31009", OutOfRotation.DRAINING, "TASK_KILLING"))));
        ProxyMetrics metrics = metrics(holder, discovery);
        for (int i = 0; i < 7; i++) {
            metrics.recordRequest("/web", 200, 1_000_000);
        }
        metrics.recordRequest("/web", 404, 1_000_000);
        metrics.recordRequest("/web", 404, 1_000_000);
        metrics.recordRequest("/web", 503, 1_000_000);
        api.get(0).acquired();
        api.get(0).acquired();
        for (int i = 0; i < 5; i++) {
            metrics.backendOutcome(api.get(0).backend(), i == 0);
        }
        int port = start(holder, discovery, metrics);

        String url = "http://127.0.0.1:" + port + "/";
        String dom = dumpDom(url);
        Path png = screenshot(url);

        assertThat(dom).contains(">healthy<", "table v1", "http://marathon.test:8080", "synced, connected",
                "Labels of /locked", "HAPROXY_0_AUTH is not realm:user:hash: not routed");
        assertThat(dom).as("version and uptime in the header")
                .containsPattern("id=\"version\">" + Pattern.quote(BuildInfo.version()))
                .containsPattern("id=\"uptime\">up \\d+ (s|min), since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC<");
        assertThat(dom).as("readable times, not raw instants")
                .containsPattern("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC \\((now|\\d+ s ago)\\)")
                .doesNotContainPattern("<dd>\\d{4}-\\d\\d-\\d\\dT");
        assertThat(dom).as("the warning").contains("2 apps get no traffic by Host: no domain is set and they have no"
                + " vhost label. Set domain, or give them a vhost label", "reaches them: /batch, /worker.");

        String web = route(dom, "/web");
        assertThat(web).contains("<td class=\"col-requests num\">10</td>", "<td class=\"col-4xx num\">2</td>",
                "<td class=\"col-5xx num\">1</td>", "<td class=\"col-p50 num\">2.5 ms</td>",
                "<td class=\"col-p99 num\">4.95 ms</td>");

        String shop = route(dom, "/shop/api");
        assertThat(shop).contains("2 up, 1 ejected, 1 down, 1 draining");
        assertThat(backendRow(shop, "up", "10.0.0.1:31001")).contains("shop_api.t1",
                "<td class=\"col-requests num\">5</td>", "<td class=\"col-errors num\">1</td>",
                "<td class=\"col-active num\">2</td>");
        assertThat(backendRow(shop, "ejected", "10.0.0.2:31002"))
                .containsPattern(">ejected until \\d\\d:\\d\\d:\\d\\d UTC \\(in (9|10) min\\)<");
        assertThat(backendRow(shop, "up", "10.0.0.3:31003")).contains(">up<");
        assertThat(backendRow(shop, "down", "10.0.0.8:31008")).contains(">down (failing Marathon health checks)<");
        assertThat(backendRow(shop, "draining", "10.0.0.9:31009")).contains(">draining (TASK_KILLING)<");
        assertThat(shop).as("the route's errors and requests in flight sum its backends'")
                .contains("<td class=\"col-errors num\">1</td>", "<td class=\"col-active num\">2</td>");

        assertThat(route(dom, "/shop/cart")).contains(">shop.example.com/cart<");
        assertThat(route(dom, "/shop/checkout")).contains(">shop.example.com/checkout<");
        assertThat(route(dom, "/worker")).contains(">no host name<");

        assertThat(png).isRegularFile();
        assertThat(Files.size(png)).isGreaterThan(10_000);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(WIDTH);
        assertThat(image.getHeight()).isEqualTo(HEIGHT);
        assertThat(pixels(image, BANNER_RGB)).as("the warning banner is drawn").isGreaterThan(10_000);
    }

    @Test
    void aThousandRoutesRenderAndTheFilterAndSortFromTheAddressApply() throws Exception {
        requireChromium();
        RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"));
        List<App> apps = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            String id = "/app-%04d".formatted(i);
            apps.add(new App(id, List.of(new Backend("10.1." + i / 250 + "." + i % 250, 31_000, id.substring(1) + ".t",
                    id))));
        }
        holder.update(apps);
        ProxyMetrics metrics = metrics(holder, null);
        for (int i = 0; i < 5; i++) {
            metrics.recordRequest("/app-0507", 200, 1_000_000);
        }
        for (int i = 0; i < 3; i++) {
            metrics.recordRequest("/app-0503", 200, 1_000_000);
        }
        int port = start(holder, null, metrics);

        String all = dumpDom("http://127.0.0.1:" + port + "/");
        assertThat(visible(all)).hasSize(1_000).startsWith("/app-0000", "/app-0001");
        assertThat(all).contains(">1000 routes<", "app-0999.example.com");

        String one = dumpDom("http://127.0.0.1:" + port + "/?filter=app-0999");
        assertThat(routes(one)).as("every row is built; the filter hides rows").hasSize(1_000);
        assertThat(visible(one)).containsExactly("/app-0999");
        assertThat(one).contains(">1 of 1000 routes<");

        String byBackend = dumpDom("http://127.0.0.1:" + port + "/#filter=10.1.2.");
        assertThat(visible(byBackend)).hasSize(250).startsWith("/app-0500");

        String sorted = dumpDom("http://127.0.0.1:" + port + "/?filter=APP-05&sort=-requests");
        assertThat(visible(sorted)).hasSize(100).startsWith("/app-0507", "/app-0503", "/app-0500", "/app-0501");
        assertThat(sorted).contains("aria-sort=\"descending\"");
    }

    private ProxyMetrics metrics(RouteTableHolder holder, DiscoveryState discovery) {
        ProxyMetrics metrics = new ProxyMetrics(registry, holder, () -> discovery);
        closeables.add(metrics);
        return metrics;
    }

    private int start(RouteTableHolder holder, DiscoveryState discovery, ProxyMetrics metrics) throws Exception {
        ReadinessState readiness = new ReadinessState(() -> discovery);
        readiness.proxyListening();
        AdminServer server = new AdminServer(new InetSocketAddress("127.0.0.1", 0), holder, () -> discovery, readiness,
                registry, metrics, () -> "nio");
        closeables.add(server);
        server.unroutable(HostlessRoutes.watch(holder, null)::snapshot);
        return server.start();
    }

    /** One route's rows: its {@code tbody}. */
    private static String route(String dom, String appId) {
        int start = dom.indexOf("<tbody class=\"route\" data-app=\"" + appId + "\"");
        assertThat(start).as("a row for " + appId).isNotNegative();
        return dom.substring(start, dom.indexOf("</tbody>", start));
    }

    /** The backend row of {@code address} in a route's rows, which must have the class {@code state}. */
    private static String backendRow(String route, String state, String address) {
        Matcher m = Pattern.compile("<tr class=\"backend " + state + "\"><td class=\"col-host\">"
                + Pattern.quote(address) + "</td>.*?</tr>").matcher(route);
        assertThat(m.find()).as(state + " backend " + address + " in " + route).isTrue();
        return m.group();
    }

    private static List<String> routes(String dom) {
        List<String> out = new ArrayList<>();
        Matcher m = ROUTE.matcher(dom);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The app ids of the routes shown, in the order shown. */
    private static List<String> visible(String dom) {
        List<String> out = new ArrayList<>();
        Matcher m = ROUTE.matcher(dom);
        while (m.find()) {
            if (m.group(2) == null) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    private static int pixels(BufferedImage image, int rgb) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }

    private String dumpDom(String url) throws IOException, InterruptedException {
        Path out = tmp.resolve("dom-" + System.nanoTime() + ".html");
        chromium(List.of("--dump-dom", url), out);
        String dom = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(dom).as("the DOM of " + url).isNotBlank();
        return dom;
    }

    private Path screenshot(String url) throws IOException, InterruptedException {
        Path png = tmp.resolve("status.png");
        chromium(List.of("--window-size=" + WIDTH + "," + HEIGHT, "--hide-scrollbars", "--screenshot=" + png, url),
                tmp.resolve("screenshot.out"));
        return png;
    }

    private void chromium(List<String> action, Path stdout) throws IOException, InterruptedException {
        Path err = tmp.resolve("chromium.log");
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + tmp.resolve("profile"),
                "--virtual-time-budget=5000"));
        command.addAll(action);
        Process p = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
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
        if (p.exitValue() != 0) {
            fail("chromium exited " + p.exitValue() + "; its log:\n" + tail(err));
        }
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(none)";
        }
        String s = Files.readString(log, StandardCharsets.UTF_8);
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }
}
