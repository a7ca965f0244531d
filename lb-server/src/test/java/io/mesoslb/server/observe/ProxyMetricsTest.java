package io.mesoslb.server.observe;

import io.mesoslb.core.RouteSpec;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.App;
import io.mesoslb.core.Backend;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.discovery.DiscoveryState;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProxyMetricsTest {
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"), nanos::get);
    private final AtomicReference<DiscoveryState> discovery = new AtomicReference<>();
    private final ProxyMetrics metrics = new ProxyMetrics(registry, holder, discovery::get,
            Clock.fixed(NOW, ZoneOffset.UTC), nanos::get);

    @AfterEach
    void close() {
        metrics.close();
        registry.close();
    }

    private static App app(String id, int backends) {
        List<Backend> list = new java.util.ArrayList<>();
        for (int i = 0; i < backends; i++) {
            list.add(new Backend("10.0.0." + (i + 1), 31000 + i, id.substring(1) + ".task" + i, id));
        }
        return new App(id, list);
    }

    private PrometheusText scrape() {
        return PrometheusText.parse(registry.scrape());
    }

    @Test
    void requestsAreCountedByAppVhostAndExactStatus() {
        holder.update(List.of(app("/api", 2), app("/web", 1)));

        metrics.recordRequest("/api", 200, TimeUnit.MILLISECONDS.toNanos(5));
        metrics.recordRequest("/api", 200, TimeUnit.MILLISECONDS.toNanos(7));
        metrics.recordRequest("/api", 502, TimeUnit.MILLISECONDS.toNanos(30));
        metrics.recordRequest("/api", 503, TimeUnit.MILLISECONDS.toNanos(30));
        metrics.recordRequest("/api", 504, TimeUnit.MILLISECONDS.toNanos(30));
        RouteMeters web = metrics.route("/web");
        web.record(302, 1_000_000);
        metrics.recordRequest(null, 404, 1_000);
        metrics.recordRequest("/removed-meanwhile", 200, 1_000);

        PrometheusText p = scrape();
        assertThat(p.get("mesoslb_requests_total{app=\"/api\",status=\"200\",vhost=\"api.example.com\"}")).isEqualTo(2.0);
        assertThat(p.get("mesoslb_requests_total{app=\"/api\",status=\"502\",vhost=\"api.example.com\"}")).isEqualTo(1.0);
        assertThat(p.get("mesoslb_requests_total{app=\"/api\",status=\"503\",vhost=\"api.example.com\"}")).isEqualTo(1.0);
        assertThat(p.get("mesoslb_requests_total{app=\"/api\",status=\"504\",vhost=\"api.example.com\"}")).isEqualTo(1.0);
        assertThat(p.samples().keySet()).as("a series only for the codes seen")
                .noneMatch(k -> k.startsWith("mesoslb_requests_total{app=\"/api\",status=\"4"));
        assertThat(p.get("mesoslb_requests_total{app=\"/web\",status=\"302\",vhost=\"web.example.com\"}")).isEqualTo(1.0);
        // Unrouted: empty app and vhost, which Prometheus reads as absent labels.
        assertThat(p.get("mesoslb_requests_total{app=\"\",status=\"404\",vhost=\"\"}")).isEqualTo(1.0);
        assertThat(p.get("mesoslb_requests_total{app=\"\",status=\"200\",vhost=\"\"}")).isEqualTo(1.0);
        assertThat(p.samples().keySet()).noneMatch(k -> k.contains("app=\"-\""));
        assertThat(metrics.requestCounts().get("/api")).containsExactly(0, 2, 0, 0, 3);
    }

    @Test
    void unusualStatusCodesCollapseToTheirClass() {
        holder.update(List.of(app("/api", 1)));
        for (int code : new int[] {218, 299, 418, 420, 599, 999, 0}) {
            metrics.recordRequest("/api", code, 1_000);
        }
        PrometheusText p = scrape();
        assertThat(p.get("mesoslb_requests_total{app=\"/api\",status=\"2xx\",vhost=\"api.example.com\"}")).isEqualTo(2.0);
        assertThat(p.get("mesoslb_requests_total{app=\"/api\",status=\"4xx\",vhost=\"api.example.com\"}")).isEqualTo(2.0);
        assertThat(p.get("mesoslb_requests_total{app=\"/api\",status=\"5xx\",vhost=\"api.example.com\"}")).isEqualTo(2.0);
        assertThat(p.get("mesoslb_requests_total{app=\"/api\",status=\"1xx\",vhost=\"api.example.com\"}")).isEqualTo(1.0);
        assertThat(StatusLabel.of(404)).isEqualTo("404");
        assertThat(StatusLabel.of(499)).isEqualTo("499");
        assertThat(StatusLabel.of(507)).isEqualTo("5xx");
        assertThat(StatusLabel.SLOTS).as("the label's values are a small fixed set").isLessThan(40);
    }

    @Test
    void latencyHistogramPerAppHasTheFixedBuckets() {
        holder.update(List.of(app("/api", 1), app("/web", 1)));
        metrics.recordRequest("/api", 200, TimeUnit.MILLISECONDS.toNanos(7));
        metrics.recordRequest("/api", 200, TimeUnit.MILLISECONDS.toNanos(300));
        metrics.recordRequest(null, 404, TimeUnit.MILLISECONDS.toNanos(1));

        PrometheusText p = scrape();
        for (String app : List.of("/api", "")) {
            List<String> buckets = p.samples().keySet().stream()
                    .filter(k -> k.startsWith("mesoslb_request_duration_seconds_bucket{app=\"" + app + "\","))
                    .toList();
            assertThat(buckets).as(app).hasSize(RouteMeters.LATENCY_BUCKETS.length + 1)
                    .contains("mesoslb_request_duration_seconds_bucket{app=\"" + app + "\",le=\"0.25\"}",
                            "mesoslb_request_duration_seconds_bucket{app=\"" + app + "\",le=\"+Inf\"}");
        }
        assertThat(p.get("mesoslb_request_duration_seconds_bucket{app=\"/api\",le=\"0.01\"}")).isEqualTo(1.0);
        assertThat(p.get("mesoslb_request_duration_seconds_bucket{app=\"/api\",le=\"0.5\"}")).isEqualTo(2.0);
        assertThat(p.get("mesoslb_request_duration_seconds_count{app=\"/api\"}")).isEqualTo(2.0);
        assertThat(p.get("mesoslb_request_duration_seconds_count{app=\"\"}")).isEqualTo(1.0);
        assertThat(p.samples().keySet()).noneMatch(k -> k.contains("quantile"));
        assertThat(p.samples().keySet()).as("an app without requests has no series yet")
                .noneMatch(k -> k.contains("app=\"/web\""));
    }

    @Test
    void retriesPerBackendCountersAndLabelProblems() {
        discovery.set(new DiscoveryState("file", true, true, NOW, NOW, 1, 0, "ok")
                .withLabelProblems(java.util.Map.of("/api", List.of("/api: HAPROXY_0_BIND is not supported", "x"))));
        holder.update(List.of(app("/api", 2)));
        Backend b0 = holder.current().routeForApp("/api").backends().get(0).backend();
        metrics.backendOutcome(b0, false);
        metrics.backendOutcome(b0, true);
        metrics.retried("/api", io.mesoslb.server.proxy.RetryKind.CONNECT);
        metrics.retried("/api", io.mesoslb.server.proxy.RetryKind.REPLAY);

        PrometheusText p = scrape();
        assertThat(p.get("mesoslb_backend_requests_total{app=\"/api\",backend=\"10.0.0.1:31000\"}")).isEqualTo(2.0);
        assertThat(p.get("mesoslb_backend_errors_total{app=\"/api\",backend=\"10.0.0.1:31000\"}")).isEqualTo(1.0);
        // A backend gets its series at its first attempt, not when it enters the table.
        assertThat(p.samples().keySet()).noneMatch(k -> k.contains("10.0.0.2:31001"));
        assertThat(p.get("mesoslb_retries_total{app=\"/api\",kind=\"connect\"}")).isEqualTo(1.0);
        assertThat(p.get("mesoslb_retries_total{app=\"/api\",kind=\"replay\"}")).isEqualTo(1.0);
        assertThat(p.get("mesoslb_retries_total{app=\"/api\",kind=\"stale_connection\"}")).isZero();
        assertThat(p.get("mesoslb_label_problems{app=\"/api\"}")).isEqualTo(2.0);

        // A backend that leaves the table takes its series along; so does a problem that is gone.
        discovery.set(new DiscoveryState("file", true, true, NOW, NOW, 1, 0, "ok"));
        holder.update(List.of(new App("/api", List.of(new Backend("10.0.0.2", 31001, "api.task1", "/api")))));
        p = scrape();
        assertThat(p.samples().keySet()).noneMatch(k -> k.contains("10.0.0.1:31000"));
        assertThat(p.samples().keySet()).noneMatch(k -> k.startsWith("mesoslb_label_problems{"));
        // An attempt that ends after its backend left the table does not bring the series back.
        metrics.backendOutcome(b0, true);
        assertThat(scrape().samples().keySet()).noneMatch(k -> k.contains("10.0.0.1:31000"));
        metrics.backendOutcome(holder.current().routeForApp("/api").backends().get(0).backend(), false);
        assertThat(scrape().get("mesoslb_backend_requests_total{app=\"/api\",backend=\"10.0.0.2:31001\"}"))
                .isEqualTo(1.0);
    }

    @Test
    void buildInfoCarriesVersionAndCommit() {
        PrometheusText p = scrape();
        String key = p.samples().keySet().stream().filter(k -> k.startsWith("mesoslb_build_info{")).findFirst()
                .orElseThrow();
        assertThat(p.get(key)).isEqualTo(1.0);
        assertThat(key).contains("version=\"" + BuildInfo.version() + "\"")
                .containsPattern("commit=\"([0-9a-f]{40}|unknown)\"");
        // The build writes the commit into target/classes, so it is known here too.
        assertThat(BuildInfo.commit()).matches("[0-9a-f]{40}");
    }

    @Test
    void metersFollowTheRoutingTable() {
        holder.update(List.of(app("/api", 1), app("/web", 1)));
        metrics.recordRequest("/web", 200, 1);
        assertThat(scrape().get("mesoslb_requests_total{app=\"/web\",status=\"200\",vhost=\"web.example.com\"}"))
                .isEqualTo(1.0);

        holder.update(List.of(app("/api", 1), new App("/admin", RouteSpec.forHosts("a.example.com", "b.example.com"),
                List.of(new Backend("10.0.1.1", 80, "admin.t1", "/admin")))));

        PrometheusText p = scrape();
        assertThat(p.samples().keySet()).noneMatch(k -> k.contains("app=\"/web\""));
        metrics.recordRequest("/web", 200, 1);
        assertThat(scrape().samples().keySet()).as("a request that ends after its app left registers nothing")
                .noneMatch(k -> k.contains("app=\"/web\""));
        assertThat(p.get("mesoslb_routing_table_swaps_total")).isEqualTo(2.0);
        assertThat(p.get("mesoslb_routing_apps")).isEqualTo(2.0);
        assertThat(p.get("mesoslb_routing_vhosts")).isEqualTo(3.0);
        assertThat(p.get("mesoslb_routing_backends")).isEqualTo(2.0);
        assertThat(p.get("mesoslb_routing_table_version")).isEqualTo(2.0);
    }

    @Test
    void anAppWhoseVhostsChangeIsCountedUnderTheNewOnesFromItsNextRequest() {
        holder.update(List.of(app("/api", 1)));
        metrics.recordRequest("/api", 200, 1);
        holder.update(List.of(new App("/api", RouteSpec.forHosts("new.example.com"),
                List.of(new Backend("10.0.0.1", 31000, "api.task0", "/api")))));
        assertThat(scrape().samples().keySet()).as("dropped with the old vhosts")
                .noneMatch(k -> k.contains("app=\"/api\""));

        metrics.recordRequest("/api", 200, 1);

        PrometheusText p = scrape();
        assertThat(p.get("mesoslb_requests_total{app=\"/api\",status=\"200\",vhost=\"new.example.com\"}"))
                .isEqualTo(1.0);
        assertThat(p.samples().keySet()).noneMatch(k -> k.contains("vhost=\"api.example.com\""));
        assertThat(metrics.requestCounts().get("/api")).containsExactly(0, 1, 0, 0, 0);
    }

    @Test
    void connectionsEjectionsAndPool() {
        holder.update(List.of(app("/api", 3)));
        metrics.connectionOpened();
        metrics.connectionOpened();
        metrics.connectionOpened();
        metrics.connectionClosed();
        metrics.backendEjected("/api");
        holder.current().routeForApp("/api").backends().get(0).ejectUntil(nanos.get() + 5_000_000_000L);
        metrics.bindBackendPool(() -> 4, () -> 7);

        PrometheusText p = scrape();
        assertThat(p.get("mesoslb_connections_active")).isEqualTo(2.0);
        assertThat(p.get("mesoslb_connections_total")).isEqualTo(3.0);
        assertThat(p.get("mesoslb_backend_ejections_total{app=\"/api\"}")).isEqualTo(1.0);
        assertThat(p.get("mesoslb_routing_backends_ejected")).isEqualTo(1.0);
        assertThat(p.get("mesoslb_backend_pool_connections{state=\"idle\"}")).isEqualTo(4.0);
        assertThat(p.get("mesoslb_backend_pool_connections{state=\"active\"}")).isEqualTo(7.0);

        nanos.addAndGet(6_000_000_000L);
        assertThat(scrape().get("mesoslb_routing_backends_ejected")).isEqualTo(0.0);
    }

    @Test
    void discoveryFiguresAreReadAtScrapeTime() {
        PrometheusText before = scrape();
        assertThat(before.get("mesoslb_discovery_synced")).isEqualTo(0.0);
        assertThat(before.get("mesoslb_discovery_staleness_seconds")).isNaN();

        discovery.set(new DiscoveryState("http://marathon:8080", true, true, NOW.minusSeconds(40), NOW.minusSeconds(3),
                2, 17, "streaming"));

        PrometheusText p = scrape();
        assertThat(p.get("mesoslb_discovery_synced")).isEqualTo(1.0);
        assertThat(p.get("mesoslb_discovery_connected")).isEqualTo(1.0);
        assertThat(p.get("mesoslb_discovery_events_total")).isEqualTo(17.0);
        assertThat(p.get("mesoslb_discovery_full_syncs_total")).isEqualTo(2.0);
        assertThat(p.get("mesoslb_discovery_staleness_seconds")).isEqualTo(3.0);
    }

    @Test
    void closeUnregistersEverything() {
        holder.update(List.of(app("/api", 1)));
        metrics.close();
        holder.update(List.of(app("/api", 2)));

        assertThat(registry.getMeters()).isEmpty();
    }
}
