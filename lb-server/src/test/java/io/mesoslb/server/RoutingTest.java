package io.mesoslb.server;

import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RoutingTest {
    private final TestOrigin a1 = TestOrigin.marker("a1");
    private final TestOrigin a2 = TestOrigin.marker("a2");
    private final TestOrigin a3 = TestOrigin.marker("a3");
    private final TestOrigin b = TestOrigin.marker("b");
    private final TestOrigin c = TestOrigin.marker("c");
    private final ProxyFixture proxy = new ProxyFixture();

    @AfterEach
    void stop() {
        proxy.close();
        for (TestOrigin o : new TestOrigin[] {a1, a2, a3, b, c}) {
            o.close();
        }
    }

    @Test
    void routesByHostAmongSeveralApps() throws Exception {
        proxy.app("/alpha", a1).app("/team/beta", b).app("/gamma", Map.of("MESOS_LB_VHOST", "www.gamma.example"),
                c.backend("/gamma"));

        assertThat(proxy.get("alpha.test.local", "/").body()).isEqualTo("a1");
        assertThat(proxy.get("beta.team.test.local", "/").body()).isEqualTo("b");
        assertThat(proxy.get("www.gamma.example", "/").body()).isEqualTo("c");
    }

    @Test
    void appsShareAVhostByPathPrefix() throws Exception {
        proxy.app("/web", Map.of("MESOS_LB_VHOST", "shop.example"), a1.backend("/web"))
                .app("/api", Map.of("MESOS_LB_VHOST", "shop.example", "HAPROXY_0_PATH", "/api"), b.backend("/api"))
                .app("/docs", Map.of("MESOS_LB_VHOST", "docs.example", "MESOS_LB_PATH", "/manual"), c.backend("/docs"));

        assertThat(proxy.get("shop.example", "/api/orders").body()).isEqualTo("b");
        assertThat(proxy.get("shop.example", "/").body()).isEqualTo("a1");
        assertThat(proxy.get("docs.example", "/manual/ch1").body()).isEqualTo("c");
        HttpResponse<String> none = proxy.get("docs.example", "/blog");
        assertThat(none.statusCode()).as("a host with path routes only").isEqualTo(404);
        // The backend gets the request target unchanged.
        assertThat(b.recorded.poll().uri()).isEqualTo("/api/orders");
    }

    @Test
    void hostMatchIgnoresCasePortAndTrailingDot() throws Exception {
        proxy.app("/alpha", a1).app("/beta", b);

        for (String host : new String[] {"ALPHA.Test.Local", "alpha.test.local:8080", "alpha.test.local.",
            "Alpha.Test.Local.:80"}) {
            HttpResponse<String> r = proxy.get(host, "/");
            assertThat(r.statusCode()).as(host).isEqualTo(200);
            assertThat(r.body()).as(host).isEqualTo("a1");
        }
        assertThat(proxy.get("BETA.TEST.LOCAL.", "/").body()).isEqualTo("b");
    }

    @Test
    void passesHostAndPathThroughUnchanged() throws Exception {
        proxy.app("/alpha", a1);

        proxy.get("Alpha.Test.Local:8080", "/some/path?q=1&r=%20");

        var seen = a1.recorded.poll();
        assertThat(seen.uri()).isEqualTo("/some/path?q=1&r=%20");
        assertThat(seen.headers().get("Host")).isEqualTo("Alpha.Test.Local:8080");
    }

    @Test
    void roundRobinsEvenlyOverThreeBackends() throws Exception {
        proxy.app("/alpha", a1, a2, a3);

        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            counts.merge(proxy.get("alpha.test.local", "/").body(), 1, Integer::sum);
        }

        assertThat(counts).containsOnlyKeys("a1", "a2", "a3");
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(99, 101));
    }

    @Test
    void reusesBackendConnectionsAcrossRequests() throws Exception {
        proxy.app("/alpha", a1);

        try (RawHttp client = new RawHttp(proxy.port())) {
            for (int i = 0; i < 200; i++) {
                client.send("GET /" + i + " HTTP/1.1\r\nHost: alpha.test.local\r\n\r\n");
                RawHttp.Response r = client.read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).isEqualTo("a1");
            }
        }

        assertThat(a1.requests.get()).isEqualTo(200);
        assertThat(a1.connections.get()).isBetween(1, 2);
    }

    @Test
    void clientConnectionsShareThePooledBackendConnections() throws Exception {
        proxy.app("/alpha", a1);

        // A new client connection per request, as from clients behind an ELB that does not keep them.
        for (int i = 0; i < 60; i++) {
            try (RawHttp client = new RawHttp(proxy.port())) {
                RawHttp.Response r = client.send("GET /" + i + " HTTP/1.1\r\nHost: alpha.test.local\r\nConnection: close\r\n\r\n")
                        .read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(client.closedByPeer()).isTrue();
            }
        }

        assertThat(a1.requests.get()).isEqualTo(60);
        // One pool per event loop, and the fixture runs two.
        assertThat(a1.connections.get()).isBetween(1, 2);
    }

    @Test
    void followsRoutingTableChanges() throws Exception {
        proxy.app("/alpha", a1);
        assertThat(proxy.get("alpha.test.local", "/").body()).isEqualTo("a1");

        proxy.app("/alpha", b.backend("/alpha"));

        assertThat(proxy.get("alpha.test.local", "/").body()).isEqualTo("b");
    }
}
