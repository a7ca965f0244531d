package io.mesoslb.server;

import io.mesoslb.server.observe.PrometheusText;
import io.mesoslb.server.testing.AccessLogCapture;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.Backend;
import io.mesoslb.discovery.DiscoveryState;
import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.LoopbackPort;
import java.nio.file.Files;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every exchange through the proxy shows in /metrics and in the access log. */
class ExchangeObservationTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Closer closer = new Closer();

    @RegisterExtension
    final AccessLogCapture accessLog = new AccessLogCapture();

    private static PrometheusText scrape(ProxyFixture proxy) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + proxy.server.adminAddress().getPort() + "/metrics");
        HttpResponse<String> r = proxy.client.send(HttpRequest.newBuilder(uri).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        return PrometheusText.parse(r.body());
    }

    @Test
    void metricsCountWhatWasSent() throws Exception {
        TestOrigin origin = closer.use(TestOrigin.marker("hello"));
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.adminPort(0))).app("/a", origin);
        for (int i = 0; i < 7; i++) {
            assertThat(proxy.get("a.test.local", "/x").statusCode()).isEqualTo(200);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(proxy.get("nobody.test.local", "/").statusCode()).isEqualTo(404);
        }
        // The JDK client keeps its connection open: one active, one pooled backend connection idle.
        Await.until(WAIT, () -> proxy.server.pools().idleConnections() == 1, "backend connection back in the pool");

        PrometheusText m = scrape(proxy);
        assertThat(m.get("mesoslb_requests_total{app=\"/a\",status=\"200\",vhost=\"a.test.local\"}")).isEqualTo(7.0);
        assertThat(m.get("mesoslb_requests_total{app=\"\",status=\"404\",vhost=\"\"}")).isEqualTo(3.0);
        assertThat(m.samples().keySet()).noneMatch(k -> k.startsWith("mesoslb_requests_total{app=\"/a\",status=\"5"));
        assertThat(m.get("mesoslb_request_duration_seconds_count{app=\"/a\"}")).isEqualTo(7.0);
        assertThat(m.get("mesoslb_request_duration_seconds_count{app=\"\"}")).isEqualTo(3.0);
        assertThat(m.get("mesoslb_backend_requests_total{app=\"/a\",backend=\"127.0.0.1:" + origin.port() + "\"}"))
                .isEqualTo(7.0);
        assertThat(m.get("mesoslb_connections_active")).isEqualTo(1.0);
        assertThat(m.get("mesoslb_connections_total")).isEqualTo(1.0);
        assertThat(m.get("mesoslb_backend_pool_connections{state=\"idle\"}")).isEqualTo(1.0);
        assertThat(m.get("mesoslb_backend_pool_connections{state=\"active\"}")).isZero();
        assertThat(m.get("mesoslb_routing_table_swaps_total")).isGreaterThanOrEqualTo(1.0);
        assertThat(m.get("mesoslb_routing_apps")).isEqualTo(1.0);
        assertThat(m.samples().keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes"));
    }

    @Test
    void ejectionsAndDiscoveryShowInTheMetrics() throws Exception {
        TestOrigin up = closer.use(TestOrigin.marker("up"));
        int refused = closer.use(LoopbackPort.refusing()).port();
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.adminPort(0).outlierConsecutiveFailures(1)))
                .app("/b", up.backend("/b"), new Backend("127.0.0.1", refused, "b.down", "/b"));
        Instant synced = Instant.now();
        proxy.server.discoveryState(() -> new DiscoveryState("file", true, true, synced, synced, 3, 17, "ok"));
        for (int i = 0; i < 4; i++) {
            assertThat(proxy.get("b.test.local", "/").body()).isEqualTo("up");
        }

        PrometheusText m = scrape(proxy);
        assertThat(m.get("mesoslb_backend_ejections_total{app=\"/b\"}")).isEqualTo(1.0);
        assertThat(m.get("mesoslb_routing_backends_ejected")).isEqualTo(1.0);
        assertThat(m.get("mesoslb_discovery_full_syncs_total")).isEqualTo(3.0);
        assertThat(m.get("mesoslb_discovery_events_total")).isEqualTo(17.0);
        assertThat(m.get("mesoslb_discovery_synced")).isEqualTo(1.0);
        assertThat(m.get("mesoslb_discovery_staleness_seconds")).isGreaterThanOrEqualTo(0.0);
    }

    @Test
    void connectionsAreCountedWhileOpen() throws Exception {
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.adminPort(0)));
        try (RawHttp a = new RawHttp(proxy.port()); RawHttp b = new RawHttp(proxy.port())) {
            Await.until(WAIT, () -> proxy.server.clients().size() == 2, "both accepted");
            assertThat(scrape(proxy).get("mesoslb_connections_active")).isEqualTo(2.0);
        }
        Await.until(WAIT, () -> proxy.server.clients().isEmpty(), "both closed");
        assertThat(scrape(proxy).get("mesoslb_connections_active")).isZero();
        assertThat(scrape(proxy).get("mesoslb_connections_total")).isEqualTo(2.0);
    }

    @Test
    void accessLogHasOneLinePerRequestWithVhostBackendStatusAndBytes() throws Exception {
        TestOrigin origin = closer.use(TestOrigin.marker("hello"));
        ProxyFixture proxy = closer.use(new ProxyFixture()).app("/a", origin);
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send("GET /p?q=1 HTTP/1.1\r\nHost: a.test.local\r\nUser-Agent: probe/1\r\nReferer: http://r.example/\r\n\r\n")
                    .read();
            c.send("HEAD / HTTP/1.1\r\nHost: nobody.test.local\r\n\r\n").read(true);
        }
        List<String> lines = accessLog.await(2);
        assertThat(lines).hasSize(2);

        String routed = lines.get(0);
        assertThat(routed).startsWith("127.0.0.1 - - [")
                .contains("] \"GET /p?q=1 HTTP/1.1\" 200 5 \"http://r.example/\" \"probe/1\" \"a.test.local\" 127.0.0.1:"
                        + origin.port() + " ");
        String unrouted = lines.get(1);
        assertThat(unrouted).contains("\"HEAD / HTTP/1.1\" 404 - \"-\" \"-\" \"nobody.test.local\" - ");
    }

    @Test
    void jsonAccessLogToAFileHasTheAppAndExactStatus(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path file = tmp.resolve("access.log");
        TestOrigin origin = closer.use(TestOrigin.marker("hello"));
        ProxyFixture proxy = new ProxyFixture(b -> b.accessLogFormat("json").accessLogFile(file.toString())).app("/a", origin);
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send("GET /p HTTP/1.1\r\nHost: a.test.local\r\nUser-Agent: probe \"1\"\r\n\r\n").read();
            c.send("GET / HTTP/1.1\r\nHost: nobody.test.local\r\n\r\n").read();
        }
        Await.until(WAIT, () -> {
            try {
                return Files.exists(file) && Files.readAllLines(file).size() == 2;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "two lines in the file");
        proxy.close();
        List<String> lines = Files.readAllLines(file);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode routed = json.readTree(lines.get(0));
        assertThat(routed.path("app").asText()).isEqualTo("/a");
        assertThat(routed.path("status").asInt()).isEqualTo(200);
        assertThat(routed.path("user_agent").asText()).isEqualTo("probe \"1\"");
        assertThat(routed.path("backend").asText()).isEqualTo("127.0.0.1:" + origin.port());
        assertThat(json.readTree(lines.get(1)).path("status").asInt()).isEqualTo(404);
        assertThat(json.readTree(lines.get(1)).path("app").isNull()).isTrue();
        assertThat(accessLog.lines()).as("nothing on the application's mesos-lb.access logger").isEmpty();
    }

    @Test
    void accessLogFileRollsAtTheConfiguredSize(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path file = tmp.resolve("access.log");
        TestOrigin origin = closer.use(TestOrigin.marker("hello"));
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.accessLogFile(file.toString()).accessLogMaxSize("1KB")))
                .app("/a", origin);
        // Each line is over 200 bytes: ten of them pass 1 KB, and the line after that starts a new file.
        String path = "/" + "p".repeat(150);
        try (RawHttp c = new RawHttp(proxy.port())) {
            for (int i = 0; i < 10; i++) {
                c.send("GET " + path + " HTTP/1.1\r\nHost: a.test.local\r\n\r\n").read();
            }
        }
        Await.until(WAIT, () -> {
            try (var files = Files.list(tmp)) {
                return files.anyMatch(f -> f.getFileName().toString().matches("access\\.log\\.[0-9-]+\\.0\\.gz"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "access.log rolled into access.log.<date>.0.gz");
    }

    @Test
    void accessLogCanBeTurnedOff() throws Exception {
        TestOrigin origin = closer.use(TestOrigin.marker("hello"));
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.accessLog(false).adminPort(0))).app("/a", origin);
        assertThat(proxy.get("a.test.local", "/").statusCode()).isEqualTo(200);
        // The request is counted, so it is over; no line was written for it.
        Await.until(WAIT, () -> {
            try {
                Double n = scrape(proxy).get("mesoslb_requests_total{app=\"/a\",status=\"200\",vhost=\"a.test.local\"}");
                return n != null && n == 1.0;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, "request counted");
        assertThat(accessLog.lines()).isEmpty();
    }

    @Test
    void aClientThatLeavesBeforeTheResponseIsLoggedAs499() throws Exception {
        TestOrigin silent = closer.use(TestOrigin.silent());
        ProxyFixture proxy = closer.use(new ProxyFixture()).app("/s", silent);
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send("GET / HTTP/1.1\r\nHost: s.test.local\r\n\r\n");
            Await.until(WAIT, () -> silent.requests.get() == 1, "request at the backend");
        }
        assertThat(accessLog.await(1)).singleElement().asString()
                .contains("\"GET / HTTP/1.1\" 499 - ").contains("\"s.test.local\" 127.0.0.1:" + silent.port());
    }
}
