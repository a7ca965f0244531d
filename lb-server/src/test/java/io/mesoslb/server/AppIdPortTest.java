package io.mesoslb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import io.mesoslb.server.config.ServerConfig;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.TestOrigin;


import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * marathon-lb's :9091 frontend over real sockets: on {@code app-id-port} the {@code X-Marathon-App-Id}
 * header picks the app whatever the Host, with the proxy port's protections; off unless configured.
 */
class AppIdPortTest {
    @RegisterExtension
    final Closer closer = new Closer();

    private final TestOrigin a = closer.use(TestOrigin.marker("a"));
    private final TestOrigin b = closer.use(TestOrigin.marker("b"));

    private ProxyFixture proxy() {
        return closer.use(new ProxyFixture(c -> c.appIdPort(0))).app("/a", a).app("/team/b", b);
    }

    /** One request on its own connection; {@code appId} null sends no header. */
    private static RawHttp.Response get(int port, String host, String appId) throws IOException {
        String header = appId == null ? "" : "X-Marathon-App-Id: " + appId + "\r\n";
        try (RawHttp c = new RawHttp(port)) {
            return c.send("GET / HTTP/1.1\r\nHost: " + host + "\r\n" + header + "\r\n").read();
        }
    }

    @Test
    void offByDefault() {
        ProxyFixture proxy = closer.use(new ProxyFixture());
        assertThat(ServerConfig.builder().build().appIdPort()).isEqualTo(-1);
        assertThatThrownBy(() -> proxy.server.appIdPort()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aTakenAppIdPortFailsTheStartNamingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> new ProxyFixture(c -> c.appIdPort(port)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + port)
                    .satisfies(e -> assertThat(StartupFailure.explain(e)).contains("--app-id-port"));
        }
    }

    @Test
    void theHeaderPicksTheAppWhateverTheHost() throws Exception {
        ProxyFixture proxy = proxy();
        int port = proxy.server.appIdPort();
        assertThat(port).isPositive().isNotEqualTo(proxy.port());

        assertThat(get(port, "b.team.test.local", "/a").text()).isEqualTo("a");
        assertThat(get(port, "anything.example", "/team/b").text()).isEqualTo("b");
        assertThat(get(port, "anything.example", "/TEAM/B").text()).as("matched case-insensitively, as -i").isEqualTo("b");
        // The proxy port still routes by Host: the header means nothing there.
        assertThat(get(proxy.port(), "b.team.test.local", "/a").text()).isEqualTo("b");
        assertThat(a.recorded.peek().headers().get("X-Marathon-App-Id")).as("passed on, as marathon-lb does").isEqualTo("/a");
    }

    @Test
    void anUnknownIdIs404NamingItAndNoHeaderIs400() throws Exception {
        ProxyFixture proxy = proxy();
        int port = proxy.server.appIdPort();

        RawHttp.Response unknown = get(port, "a.test.local", "/nope\u00e9");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.text()).contains("no route for app id /nope\\xe9");

        RawHttp.Response missing = get(port, "a.test.local", null);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.text()).contains("no X-Marathon-App-Id header");
        assertThat(get(port, "a.test.local", "").status()).isEqualTo(400);
        assertThat(a.requests.get() + b.requests.get()).isZero();
    }

    @Test
    void onlyAnAppsMainPortIsReachable() throws Exception {
        ProxyFixture proxy = proxy().appPorts("/multi",
                Map.of("HAPROXY_0_VHOST", "m0.example.com", "HAPROXY_1_VHOST", "m1.example.com"), a);
        int port = proxy.server.appIdPort();
        assertThat(get(port, "x", "/multi").status()).isEqualTo(200);
        assertThat(get(port, "x", "/multi#1").status()).as("a port route is not an app id").isEqualTo(404);
    }

    /** Unlike marathon-lb, whose auth ACLs live in the :80 frontend only; see also BasicAuthRouteTest. */
    @Test
    void networkLabelsStillApply() throws Exception {
        ProxyFixture proxy = proxy()
                .app("/internal", Map.of("HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL", "10.0.0.0/8"), a.backend("/internal"));
        assertThat(get(proxy.server.appIdPort(), "x", "/internal").status()).isEqualTo(403);
        assertThat(a.requests.get()).isZero();
    }

    @Test
    void noHttpsRedirectHereAsOnMarathonLbsAppIdFrontend() throws Exception {
        ProxyFixture proxy = proxy().app("/secure", Map.of("HAPROXY_0_REDIRECT_TO_HTTPS", "true"), a.backend("/secure"));
        assertThat(get(proxy.port(), "secure.test.local", null).status()).isEqualTo(301);
        assertThat(get(proxy.server.appIdPort(), "secure.test.local", "/secure").status()).isEqualTo(200);
    }

    @Test
    void closingStopsTheAppIdListenerAndItsConnections() throws Exception {
        ProxyFixture proxy = proxy();
        int port = proxy.server.appIdPort();
        try (RawHttp kept = new RawHttp(port)) {
            kept.send("GET / HTTP/1.1\r\nHost: x\r\nX-Marathon-App-Id: /a\r\n\r\n");
            assertThat(kept.read().status()).isEqualTo(200);
            assertThat(proxy.server.clients().size()).as("in the client group that draining walks").isEqualTo(1);
            proxy.server.close();
            assertThat(kept.socket().getInputStream().read()).as("the idle keep-alive connection closed").isEqualTo(-1);
        }
        assertThatThrownBy(() -> new RawHttp(port).close()).isInstanceOf(ConnectException.class);
    }
}
