package io.mesoslb.server.admin;

import io.mesoslb.server.observe.PrometheusText;
import io.mesoslb.server.observe.ProxyMetrics;

import io.mesoslb.core.RouteSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mesoslb.core.App;
import io.mesoslb.core.Backend;
import io.mesoslb.core.BackendState;
import io.mesoslb.discovery.OutOfRotation;
import io.mesoslb.server.routes.HostlessRoutes;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.discovery.DiscoveryState;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {
    private static final Instant NOW = Instant.parse("2026-05-04T08:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    private final RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"), nanos::get);
    private final AtomicReference<DiscoveryState> discovery = new AtomicReference<>();
    private final ReadinessState readiness = new ReadinessState(discovery::get);
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ProxyMetrics metrics = new ProxyMetrics(registry, holder, discovery::get);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private AdminServer server;
    private int port;

    static List<App> twoApps() {
        return List.of(
                new App("/shop/api", List.of(
                        new Backend("10.0.0.1", 31001, "shop_api.t1", "/shop/api"),
                        new Backend("10.0.0.2", 31002, "shop_api.t2", "/shop/api"))),
                new App("/web", RouteSpec.forHosts("www.example.com", "example.com"), List.of(
                        new Backend("10.0.0.3", 31003, "web.t1", "/web"))));
    }

    @BeforeEach
    void start() throws Exception {
        holder.update(twoApps());
        server = new AdminServer(new InetSocketAddress("127.0.0.1", 0), holder, discovery::get, readiness, registry,
                metrics, () -> "nio", nanos::get, Clock.fixed(NOW, ZoneOffset.UTC));
        port = server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        metrics.close();
        registry.close();
    }

    /** The admin server of a balancer without the proxy's meters. */
    private void restartWithoutProxyMetrics() throws InterruptedException {
        server.close();
        server = new AdminServer(new InetSocketAddress("127.0.0.1", 0), holder, discovery::get, readiness, registry,
                null, () -> "nio");
        port = server.start();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT).GET().build());
    }

    private HttpResponse<String> send(HttpRequest req) throws Exception {
        return client.send(req, HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private JsonNode json(String path) throws Exception {
        HttpResponse<String> res = get(path);
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
        return JSON.readTree(res.body());
    }

    @Test
    void healthFollowsReadiness() throws Exception {
        HttpResponse<String> starting = get("/health");
        assertThat(starting.statusCode()).isEqualTo(503);
        assertThat(starting.body()).isEqualTo("starting: proxy not listening yet\n");

        readiness.proxyListening();
        discovery.set(new DiscoveryState("file:/apps.json", true, true, NOW, null, 1, 0, "ok"));
        HttpResponse<String> ready = get("/health?probe=1");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("OK\n");
        assertThat(ready.headers().firstValue("cache-control")).hasValue("no-store");

        HttpResponse<String> head = send(HttpRequest.newBuilder(uri("/health")).timeout(TIMEOUT)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("content-length")).hasValue("3");
        assertThat(head.body()).isEmpty();

        readiness.startDraining();
        HttpResponse<String> draining = get("/health");
        assertThat(draining.statusCode()).isEqualTo(503);
        assertThat(draining.body()).isEqualTo("draining\n");
    }

    @Test
    void routesListAppsBackendsEjectionAndDiscovery() throws Exception {
        discovery.set(new DiscoveryState("http://marathon:8080", true, true, NOW.minusSeconds(60),
                NOW.minusSeconds(2), 3, 41, "streaming"));
        JsonNode routes = json("/routes");

        assertThat(routes.get("version").asLong()).isEqualTo(holder.current().version());
        JsonNode apps = routes.get("apps");
        assertThat(apps).hasSize(2);
        JsonNode api = apps.get(0);
        assertThat(api.get("id").asText()).isEqualTo("/shop/api");
        assertThat(api.get("vhosts").get(0).asText()).isEqualTo("api.shop.example.com");
        assertThat(api.get("backends")).hasSize(2);
        JsonNode b1 = api.get("backends").get(0);
        assertThat(b1.get("host").asText()).isEqualTo("10.0.0.1");
        assertThat(b1.get("port").asInt()).isEqualTo(31001);
        assertThat(b1.get("taskId").asText()).isEqualTo("shop_api.t1");
        assertThat(b1.get("ejected").asBoolean()).isFalse();
        assertThat(b1.get("ejectedUntil").isNull()).isTrue();
        JsonNode web = apps.get(1);
        assertThat(web.get("vhosts")).extracting(JsonNode::asText).containsExactly("www.example.com", "example.com");
        JsonNode d = routes.get("discovery");
        assertThat(d.get("source").asText()).isEqualTo("http://marathon:8080");
        assertThat(d.get("lastEvent").asText()).isEqualTo(NOW.minusSeconds(2).toString());
        assertThat(d.get("events").asLong()).isEqualTo(41);

        // Ejection changes without a new table version and must still show.
        holder.current().routeForApp("/shop/api").backends().get(1).ejectUntil(nanos.get() + 30_000_000_000L);
        JsonNode after = json("/routes");
        JsonNode b2 = after.get("apps").get(0).get("backends").get(1);
        assertThat(b2.get("ejected").asBoolean()).isTrue();
        assertThat(b2.get("ejectedUntil").asText()).isEqualTo(NOW.plusSeconds(30).toString());

        nanos.addAndGet(31_000_000_000L);
        assertThat(json("/routes").get("apps").get(0).get("backends").get(1).get("ejected").asBoolean()).isFalse();
    }

    @Test
    void routesFollowTableChangesAndDiscoveryMayBeAbsent() throws Exception {
        holder.update(List.of(twoApps().get(1)));
        JsonNode routes = json("/routes");
        assertThat(routes.get("apps")).hasSize(1);
        assertThat(routes.get("version").asLong()).isEqualTo(2);
        assertThat(routes.get("discovery").isNull()).isTrue();
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        metrics.recordRequest("/web", 200, 1_000_000);
        HttpResponse<String> res = get("/metrics");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type")).hasValue(AdminHandler.PROMETHEUS_TEXT);
        PrometheusText p = PrometheusText.parse(res.body());
        assertThat(p.get("mesoslb_requests_total{app=\"/web\",status=\"200\",vhost=\"www.example.com,example.com\"}"))
                .isEqualTo(1.0);
    }

    @Test
    void largeResponsesAreCompressedWhenAsked() throws Exception {
        HttpResponse<byte[]> res = client.send(HttpRequest.newBuilder(uri("/metrics")).timeout(TIMEOUT)
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());

        assertThat(res.headers().firstValue("content-encoding")).hasValue("gzip");
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(res.body()))) {
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                    .contains("mesoslb_routing_apps 2");
        }
    }

    @Test
    void statsCarryRequestCountsHealthAndDiscovery() throws Exception {
        metrics.recordRequest("/shop/api", 200, 1);
        metrics.recordRequest("/shop/api", 502, 1);
        metrics.recordRequest(null, 404, 1);
        metrics.connectionOpened();

        JsonNode stats = json("/stats.json");
        assertThat(stats.get("health").get("healthy").asBoolean()).isFalse();
        assertThat(stats.get("health").get("phase").asText()).isEqualTo("STARTING");
        assertThat(stats.get("tableVersion").asLong()).isEqualTo(1);
        assertThat(stats.get("connections").asLong()).isEqualTo(1);
        JsonNode api = stats.get("requests").get("apps").get("/shop/api");
        assertThat(api.get("total").asLong()).isEqualTo(2);
        assertThat(api.get("byClass").get("5xx").asLong()).isEqualTo(1);
        assertThat(stats.get("requests").get("unrouted").get("byClass").get("4xx").asLong()).isEqualTo(1);
    }

    @Test
    void routesCarryEachBackendsRequestsInFlightAttemptsAndErrors() throws Exception {
        BackendState first = holder.current().routeForApp("/shop/api").backends().get(0);
        first.acquired();
        first.acquired();
        metrics.backendOutcome(first.backend(), false);
        metrics.backendOutcome(first.backend(), true);
        metrics.backendOutcome(first.backend(), false);

        JsonNode backends = json("/routes").at("/apps/0/backends");
        assertThat(backends.get(0).get("active").asInt()).isEqualTo(2);
        assertThat(backends.get(0).get("requests").asLong()).isEqualTo(3);
        assertThat(backends.get(0).get("errors").asLong()).isEqualTo(1);
        assertThat(backends.get(1).get("active").asInt()).isZero();
        assertThat(backends.get(1).get("requests").asLong()).isZero();

        first.released();
        assertThat(json("/routes").at("/apps/0/backends/0/active").asInt()).as("live, not per table").isEqualTo(1);
    }

    @Test
    void routesWithoutProxyMetricsHaveNoBackendCounts() throws Exception {
        restartWithoutProxyMetrics();

        JsonNode b = json("/routes").at("/apps/0/backends/0");
        assertThat(b.get("active").asInt()).isZero();
        assertThat(b.get("requests").isNull()).isTrue();
        assertThat(b.get("errors").isNull()).isTrue();
    }

    @Test
    void routesListTheAppsNoHostLeadsToAndPathPrefixes() throws Exception {
        assertThat(json("/routes").get("unroutable").isNull()).as("until the balancer says").isTrue();
        holder.update(List.of(twoApps().get(0), new App("/bad app", List.of()),
                new App("/shop/cart", RouteSpec.forHosts("shop.example.com").withPaths(List.of("/cart")), List.of())));
        HostlessRoutes hostless = HostlessRoutes.watch(holder, "example.com");
        server.unroutable(hostless::snapshot);

        JsonNode routes = json("/routes");
        assertThat(routes.at("/unroutable/domain").asText()).isEqualTo("example.com");
        assertThat(routes.at("/unroutable/apps")).extracting(JsonNode::asText).containsExactly("/bad app");
        assertThat(routes.at("/apps/0/id").asText()).isEqualTo("/bad app");
        assertThat(routes.at("/apps/0/hostless").asBoolean()).isTrue();
        assertThat(routes.at("/apps/1/hostless").isMissingNode()).isTrue();
        assertThat(routes.at("/apps/2/paths")).extracting(JsonNode::asText).containsExactly("/cart");
    }

    @Test
    void discoveryListsTasksOutOfRotationWithTheReason() throws Exception {
        discovery.set(new DiscoveryState("http://marathon:8080", true, true, NOW, null, 1, 0, "streaming")
                .withOutOfRotation(java.util.Map.of("/shop/api", List.of(
                        new OutOfRotation("shop_api.t3", "10.0.0.9:31009", OutOfRotation.DOWN,
                                "failing Marathon health checks"),
                        new OutOfRotation("shop_api.t4", null, OutOfRotation.DOWN, "no address for port index 0")))));

        for (String path : List.of("/routes", "/stats.json")) {
            JsonNode tasks = json(path).at("/discovery/outOfRotation/~1shop~1api");
            assertThat(tasks).as(path).hasSize(2);
            assertThat(tasks.get(0).get("taskId").asText()).isEqualTo("shop_api.t3");
            assertThat(tasks.get(0).get("address").asText()).isEqualTo("10.0.0.9:31009");
            assertThat(tasks.get(0).get("state").asText()).isEqualTo("down");
            assertThat(tasks.get(0).get("reason").asText()).isEqualTo("failing Marathon health checks");
            assertThat(tasks.get(1).get("address").isNull()).isTrue();
        }
    }

    @Test
    void statsCarryLatencyQuantilesPerApp() throws Exception {
        for (int i = 0; i < 100; i++) {
            metrics.recordRequest("/web", 200, 3_000_000);
        }

        JsonNode apps = json("/stats.json").at("/requests/apps");
        // All 100 in the lowest bucket (5 ms): interpolated as histogram_quantile does.
        assertThat(apps.at("/~1web/p50").asDouble()).isEqualTo(0.0025);
        assertThat(apps.at("/~1web/p99").asDouble()).isEqualTo(0.00495);
        assertThat(apps.at("/~1shop~1api/p50").isNull()).as("no requests, no latency").isTrue();
    }

    @Test
    void anAppWithoutRequestsIsListedWithZerosAndGetsItsMetersAtItsFirstRequest() throws Exception {
        JsonNode web = json("/stats.json").at("/requests/apps/~1web");
        assertThat(web.get("total").asLong()).as("listed before its first request").isZero();
        assertThat(web.at("/byClass/2xx").asLong()).isZero();
        assertThat(web.get("p50").isNull()).isTrue();
        assertThat(registry.getMeters()).as("no meters before its first request")
                .noneMatch(m -> "/web".equals(m.getId().getTag("app")));

        metrics.recordRequest("/web", 200, 3_000_000);

        assertThat(registry.find("mesoslb.request.duration").tag("app", "/web").timer().count()).isEqualTo(1);
        assertThat(registry.find("mesoslb.requests").tag("app", "/web").tag("vhost", "www.example.com,example.com")
                .counter().count()).isEqualTo(1.0);
        assertThat(json("/stats.json").at("/requests/apps/~1web/total").asLong()).isEqualTo(1);
    }

    @Test
    void statsWithoutProxyMetricsHaveNoRequests() throws Exception {
        restartWithoutProxyMetrics();

        JsonNode stats = json("/stats.json");
        assertThat(stats.get("requests").isNull()).isTrue();
        assertThat(stats.get("connections").isNull()).isTrue();
    }

    @Test
    void versionNamesTheBuildJavaAndTransport() throws Exception {
        JsonNode v = json("/version");
        assertThat(v.get("name").asText()).isEqualTo("mesos-lb");
        assertThat(v.get("version").asText()).isEqualTo("dev");
        assertThat(v.get("java").asText()).isEqualTo(System.getProperty("java.version"));
        assertThat(v.get("transport").asText()).isEqualTo("nio");
        assertThat(Instant.parse(v.get("startedAt").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(v.get("uptimeSeconds").canConvertToLong()).isTrue();
    }

    @Test
    void uptimeIsFromTheStartToTheClocksNow() throws Exception {
        VersionInfo info = new VersionInfo(() -> "nio", Clock.fixed(NOW, ZoneOffset.UTC), NOW.minusSeconds(3_725));
        JsonNode v = JSON.readTree(info.json());
        assertThat(v.get("startedAt").asText()).isEqualTo(NOW.minusSeconds(3_725).toString());
        assertThat(v.get("uptimeSeconds").asLong()).isEqualTo(3_725);
    }

    @Test
    void statusPageIsSelfContainedHtml() throws Exception {
        for (String path : List.of("/", "/status")) {
            HttpResponse<String> res = get(path);
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
            assertThat(res.body()).contains("<script>", "fetchJson('/routes')", "fetchJson('/stats.json')")
                    .doesNotContain("src=\"http", "href=\"http", "@import");
        }
    }

    @Test
    void unknownPathsAndMethods() throws Exception {
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        HttpResponse<String> post = send(HttpRequest.newBuilder(uri("/health")).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString("x")).build());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
    }

    @Test
    void oversizedRequestIsRefused() throws Exception {
        HttpResponse<String> res = send(HttpRequest.newBuilder(uri("/health")).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(70 * 1024))).build());
        assertThat(res.statusCode()).isEqualTo(413);
    }

    @Test
    void portInUseFailsStartWithTheCause() {
        AdminServer second = new AdminServer(new InetSocketAddress("127.0.0.1", port), holder, discovery::get,
                readiness, registry, null, () -> "nio");
        try {
            assertThatThrownBy(second::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:" + port)
                    .hasCauseInstanceOf(java.net.BindException.class);
            assertThat(second.localAddress()).isNull();
        } finally {
            second.close();
        }
    }

    @Test
    void closeReleasesThePort() throws Exception {
        server.close();
        try (var socket = new java.net.ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
    }
}
