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
    void requestsAreCountedByAppVhostAndStatusClass() {
        holder.update(List.of(app("/api", 2), app("/web", 1)));

        metrics.recordRequest("/api", 200, TimeUnit.MILLISECONDS.toNanos(5));
        metrics.recordRequest("/api", 204, TimeUnit.MILLISECONDS.toNanos(7));
        metrics.recordRequest("/api", 503, TimeUnit.MILLISECONDS.toNanos(30));
        RouteMeters web = metrics.route("/web");
        web.record(302, 1_000_000);
        metrics.recordRequest(null, 404, 1_000);
        metrics.recordRequest("/removed-meanwhile", 200, 1_000);

        PrometheusText p = scrape();
        assertThat(p.get("mesoslb_requests_total{app=\"/api\",status=\"2xx\",vhost=\"api.example.com\"}")).isEqualTo(2.0);
        assertThat(p.get("mesoslb_requests_total{app=\"/api\",status=\"5xx\",vhost=\"api.example.com\"}")).isEqualTo(1.0);
        assertThat(p.get("mesoslb_requests_total{app=\"/api\",status=\"4xx\",vhost=\"api.example.com\"}")).isEqualTo(0.0);
        assertThat(p.get("mesoslb_requests_total{app=\"/web\",status=\"3xx\",vhost=\"web.example.com\"}")).isEqualTo(1.0);
        assertThat(p.get("mesoslb_requests_total{app=\"-\",status=\"4xx\",vhost=\"-\"}")).isEqualTo(1.0);
        assertThat(p.get("mesoslb_requests_total{app=\"-\",status=\"2xx\",vhost=\"-\"}")).isEqualTo(1.0);
        assertThat(p.get("mesoslb_request_duration_seconds_count")).isEqualTo(6.0);
        assertThat(p.samples().keySet()).anyMatch(k -> k.startsWith("mesoslb_request_duration_seconds_bucket{le="));
        assertThat(metrics.requestCounts().get("/api")).containsExactly(0, 2, 0, 0, 1);
    }

    @Test
    void oddStatusCodesAreClamped() {
        assertThat(RouteMeters.statusClassIndex(0)).isZero();
        assertThat(RouteMeters.statusClassIndex(101)).isZero();
        assertThat(RouteMeters.statusClassIndex(599)).isEqualTo(4);
        assertThat(RouteMeters.statusClassIndex(999)).isEqualTo(4);
    }

    @Test
    void metersFollowTheRoutingTable() {
        holder.update(List.of(app("/api", 1), app("/web", 1)));
        metrics.recordRequest("/web", 200, 1);
        assertThat(scrape().get("mesoslb_requests_total{app=\"/web\",status=\"2xx\",vhost=\"web.example.com\"}"))
                .isEqualTo(1.0);

        holder.update(List.of(app("/api", 1), new App("/admin", RouteSpec.forHosts("a.example.com", "b.example.com"),
                List.of(new Backend("10.0.1.1", 80, "admin.t1", "/admin")))));

        PrometheusText p = scrape();
        assertThat(p.samples().keySet()).noneMatch(k -> k.contains("app=\"/web\""));
        assertThat(p.get("mesoslb_requests_total{app=\"/admin\",status=\"2xx\",vhost=\"a.example.com,b.example.com\"}"))
                .isEqualTo(0.0);
        assertThat(p.get("mesoslb_routing_table_swaps_total")).isEqualTo(2.0);
        assertThat(p.get("mesoslb_routing_apps")).isEqualTo(2.0);
        assertThat(p.get("mesoslb_routing_vhosts")).isEqualTo(3.0);
        assertThat(p.get("mesoslb_routing_backends")).isEqualTo(2.0);
        assertThat(p.get("mesoslb_routing_table_version")).isEqualTo(2.0);
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
