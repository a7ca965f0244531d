package io.mesoslb.server;

import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.discovery.DiscoveryState;
import io.mesoslb.testkit.Await;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admin /health and the proxy port's /_health through startup, readiness and draining. */
class HealthAndDrainTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final DiscoveryState STARTING = new DiscoveryState("test", false, false, null, null, 0, 0, "starting");
    private static final DiscoveryState SYNCED = new DiscoveryState("test", true, true, Instant.now(), null, 1, 0, "ok");

    @RegisterExtension
    final Closer closer = new Closer();

    private final AtomicReference<DiscoveryState> discovery = new AtomicReference<>(STARTING);

    private ProxyFixture proxy(String drainPeriod) {
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.adminPort(0).drainPeriod(drainPeriod)
                .shutdownGrace("20s")));
        proxy.server.discoveryState(discovery::get);
        return proxy;
    }

    private static HttpResponse<String> admin(ProxyFixture proxy, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + proxy.server.adminAddress().getPort() + path);
        return proxy.client.send(HttpRequest.newBuilder(uri).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The balancer's check: the instance's own address as Host. */
    private static HttpResponse<String> balancerCheck(ProxyFixture proxy) throws Exception {
        return proxy.get("127.0.0.1:" + proxy.port(), "/_health");
    }

    @Test
    void healthIsStartingThenReadyThenDrainingWhileTrafficIsStillServed() throws Exception {
        TestOrigin origin = closer.use(TestOrigin.marker("app"));
        ProxyFixture proxy = proxy("60s").app("/a", origin);

        HttpResponse<String> starting = admin(proxy, "/health");
        assertThat(starting.statusCode()).isEqualTo(503);
        assertThat(starting.body()).contains("waiting for the first discovery sync");
        assertThat(balancerCheck(proxy).statusCode()).isEqualTo(503);

        assertThat(admin(proxy, "/_haproxy_health_check").statusCode()).isEqualTo(503);

        discovery.set(SYNCED);
        assertThat(admin(proxy, "/health").statusCode()).isEqualTo(200);
        // marathon-lb's check path, on both ports, so that an ELB set up for marathon-lb keeps working.
        assertThat(admin(proxy, "/_haproxy_health_check").statusCode()).isEqualTo(200);
        assertThat(proxy.get("127.0.0.1:" + proxy.port(), "/_haproxy_health_check").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = balancerCheck(proxy);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("OK\n");
        // On a routed vhost the path belongs to the app.
        assertThat(proxy.get("a.test.local", "/_health").body()).isEqualTo("app");

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(proxy.server::drainAndClose);
        Await.until(WAIT, () -> {
            try {
                return admin(proxy, "/health").statusCode() == 503;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, "admin health 503 once draining");
        assertThat(admin(proxy, "/health").body()).contains("draining");
        assertThat(balancerCheck(proxy).statusCode()).isEqualTo(503);
        // Draining: the balancer is told to go away, but whoever still comes is served.
        assertThat(proxy.get("a.test.local", "/").body()).isEqualTo("app");
        assertThat(accepts(proxy.port())).isTrue();
        assertThat(stopping).isNotDone();

        proxy.server.endDrainPeriod();
        stopping.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(accepts(proxy.port())).isFalse();
    }

    @Test
    void anInstanceThatNeverBecameReadyDoesNotWaitTheDrainPeriod() throws Exception {
        ProxyFixture proxy = proxy("600s");
        assertThat(admin(proxy, "/health").statusCode()).as("never synced").isEqualTo(503);
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(proxy.server::drainAndClose);
        // Far sooner than the 600 s drain period: the balancer never sent it traffic.
        stopping.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void staleDiscoveryFailsTheHealthCheckWhenALimitIsSet() throws Exception {
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.adminPort(0).healthMaxStaleness("30s")));
        Instant longAgo = Instant.now().minusSeconds(120);
        discovery.set(new DiscoveryState("test", true, false, longAgo, longAgo, 1, 0, "cut off"));
        proxy.server.discoveryState(discovery::get);

        HttpResponse<String> stale = admin(proxy, "/health");
        assertThat(stale.statusCode()).isEqualTo(503);
        assertThat(stale.body()).startsWith("stale");

        discovery.set(new DiscoveryState("test", true, true, Instant.now(), null, 2, 0, "ok"));
        assertThat(admin(proxy, "/health").statusCode()).isEqualTo(200);
    }

    @Test
    void anIdleConnectionThatSendsNothingIsClosedAfterTheLinger() throws Exception {
        TestOrigin origin = closer.use(TestOrigin.marker("app"));
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.shutdownGrace("600s"))).app("/a", origin);
        try (RawHttp c = new RawHttp(proxy.port())) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a.test.local\r\n\r\n").read().status()).isEqualTo(200);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> proxy.server.close(Duration.ofMillis(100)));
            assertThat(c.closedByPeer()).isTrue();
            // Far sooner than the 600 s grace: nothing waited for the silent connection.
            closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
