package io.mesoslb.server;

import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * marathon-lb's protections and switches keep working after the move, over real sockets: the
 * network allow-list (through PROXY protocol and a trusted proxy's X-Forwarded-For alike), a
 * port's own group, ENABLED, booleans spelled as marathon-lb spells them, and labels that cannot be
 * honoured keeping their app port off the table.
 */
class MigratedLabelsTest {
    @RegisterExtension
    final Closer closer = new Closer();

    private final TestOrigin origin = closer.use(TestOrigin.marker("app"));

    private static RawHttp.Response get(int port, String host) throws IOException {
        return get(port, null, host, "");
    }

    private static RawHttp.Response get(int port, String proxyHeader, String host, String extraHeaders) throws IOException {
        try (RawHttp c = new RawHttp(port)) {
            if (proxyHeader != null) {
                c.out().write(proxyHeader.getBytes(StandardCharsets.US_ASCII));
            }
            return c.send("GET / HTTP/1.1\r\nHost: " + host + "\r\n" + extraHeaders + "\r\n").read();
        }
    }

    private static String v1(String source) {
        return "PROXY TCP4 " + source + " 10.0.0.1 40000 80\r\n";
    }

    @Test
    void theNetworkAllowListAdmitsOnlyItsNetworksAsThePeerPROXYHeaderOrTrustedForwardedForSaysSo() throws Exception {
        Map<String, String> acl = Map.of("HAPROXY_0_VHOST", "acl.example.com",
                "HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL", "10.1.40.0/24 10.1.55.43");
        ProxyFixture direct = closer.use(new ProxyFixture()).app("/acl", acl, origin.backend("/acl"));
        assertThat(get(direct.port(), "acl.example.com").status()).as("127.0.0.1 is not listed").isEqualTo(403);
        ProxyFixture loopback = closer.use(new ProxyFixture()).app("/acl",
                Map.of("HAPROXY_0_VHOST", "acl.example.com", "HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL", "127.0.0.0/8"),
                origin.backend("/acl"));
        assertThat(get(loopback.port(), "acl.example.com").status()).isEqualTo(200);

        ProxyFixture nlb = closer.use(new ProxyFixture(b -> b.proxyProtocol(true).proxyProtocolTrusted(List.of("127.0.0.1/32"))))
                .app("/acl", acl, origin.backend("/acl"));
        assertThat(get(nlb.port(), v1("10.1.40.7"), "acl.example.com", "").status()).isEqualTo(200);
        assertThat(get(nlb.port(), v1("10.1.55.43"), "acl.example.com", "").status()).isEqualTo(200);
        assertThat(get(nlb.port(), v1("10.1.41.7"), "acl.example.com", "").status()).isEqualTo(403);

        ProxyFixture elb = closer.use(new ProxyFixture(b -> b.trustedProxies(List.of("127.0.0.1/32"))))
                .app("/acl", acl, origin.backend("/acl"));
        assertThat(get(elb.port(), null, "acl.example.com", "X-Forwarded-For: 10.1.40.9\r\n").status()).isEqualTo(200);
        assertThat(get(elb.port(), null, "acl.example.com", "X-Forwarded-For: 192.0.2.1\r\n").status()).isEqualTo(403);
        assertThat(get(elb.port(), null, "acl.example.com", "X-Forwarded-For: 10.1.40.9, garbage\r\n").status())
                .as("an unknown client is in no network").isEqualTo(403);
        // An untrusted peer's X-Forwarded-For is not believed.
        assertThat(get(direct.port(), null, "acl.example.com", "X-Forwarded-For: 10.1.40.9\r\n").status()).isEqualTo(403);
    }

    @Test
    void anAllowListThatCannotBeReadKeepsThePortOffTheTable() throws Exception {
        ProxyFixture proxy = closer.use(new ProxyFixture()).app("/acl",
                Map.of("HAPROXY_0_VHOST", "acl.example.com", "HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL", "10.1.40.0/33"),
                origin.backend("/acl"));
        assertThat(get(proxy.port(), "acl.example.com").status()).isEqualTo(404);
        assertThat(origin.requests.get()).isZero();
    }

    @Test
    void anInternalPortStaysOffTheExternalTier() throws Exception {
        Map<String, String> labels = Map.of("HAPROXY_GROUP", "external", "HAPROXY_0_VHOST", "www.example.com",
                "HAPROXY_1_VHOST", "admin.example.com", "HAPROXY_1_GROUP", "internal");
        ProxyFixture external = closer.use(new ProxyFixture(b -> b.groups(List.of("external")))).appPorts("/app", labels, origin);
        assertThat(get(external.port(), "www.example.com").status()).isEqualTo(200);
        assertThat(get(external.port(), "admin.example.com").status()).isEqualTo(404);
        ProxyFixture internal = closer.use(new ProxyFixture(b -> b.groups(List.of("internal")))).appPorts("/app", labels, origin);
        assertThat(get(internal.port(), "admin.example.com").status()).isEqualTo(200);
        assertThat(get(internal.port(), "www.example.com").status()).isEqualTo(404);
    }

    @Test
    void enabledFalseIsNotServedAndYesTurnsARedirectOn() throws Exception {
        ProxyFixture proxy = closer.use(new ProxyFixture())
                .app("/off", Map.of("HAPROXY_0_VHOST", "off.example.com", "HAPROXY_0_ENABLED", "false"), origin.backend("/off"))
                .app("/https", Map.of("HAPROXY_0_VHOST", "s.example.com", "HAPROXY_0_REDIRECT_TO_HTTPS", "yes"),
                        origin.backend("/https"))
                .app("/t", Map.of("HAPROXY_0_VHOST", "t.example.com", "HAPROXY_0_REDIRECT_TO_HTTPS", "t"), origin.backend("/t"));
        assertThat(get(proxy.port(), "off.example.com").status()).isEqualTo(404);
        assertThat(get(proxy.port(), "s.example.com").status()).isEqualTo(301);
        assertThat(get(proxy.port(), "t.example.com").header("location")).isEqualTo("https://t.example.com/");
        assertThat(origin.requests.get()).isZero();
    }

    @Test
    void backendGlueRewritesAsMarathonLbDoes() throws Exception {
        TestOrigin app = closer.use(TestOrigin.redirecting("http://glue.example.com/login?next=1"));
        TestOrigin elsewhere = closer.use(TestOrigin.redirecting("https://sso.example.org/"));
        ProxyFixture proxy = closer.use(new ProxyFixture())
                .app("/glue", Map.of("HAPROXY_0_VHOST", "glue.example.com,alias.example.com",
                        "HAPROXY_0_HTTP_BACKEND_PROXYPASS_PATH", "/legacy",
                        "HAPROXY_0_HTTP_BACKEND_REVPROXY_PATH", "/legacy",
                        "HAPROXY_0_USE_HSTS", "true"), app.backend("/glue"))
                .app("/sso", Map.of("HAPROXY_0_VHOST", "sso.example.com", "HAPROXY_0_HTTP_BACKEND_REVPROXY_PATH", "/x",
                        "HAPROXY_0_HTTP_BACKEND_REDIR", "/welcome"), elsewhere.backend("/sso"));

        RawHttp.Response r;
        try (RawHttp c = new RawHttp(proxy.port())) {
            r = c.send("GET /legacy/a/b?q=1 HTTP/1.1\r\nHost: alias.example.com\r\n\r\n").read();
        }
        assertThat(r.text()).as("prefix and one slash replaced by /, Host set to the app's name")
                .isEqualTo("/a/b?q=1 glue.example.com");
        assertThat(r.header("location")).isEqualTo("http://glue.example.com/legacy/login?next=1");
        assertThat(r.header("strict-transport-security")).isEqualTo("max-age=15768000");

        RawHttp.Response root = get(proxy.port(), "sso.example.com");
        assertThat(root.status()).isEqualTo(301);
        assertThat(root.header("location")).isEqualTo("/welcome");
        RawHttp.Response other;
        try (RawHttp c = new RawHttp(proxy.port())) {
            other = c.send("GET /page HTTP/1.1\r\nHost: sso.example.com\r\n\r\n").read();
        }
        assertThat(other.status()).isEqualTo(302);
        assertThat(other.header("location")).as("another host's Location is kept").isEqualTo("https://sso.example.org/");
        assertThat(other.header("strict-transport-security")).isNull();
    }

    @Test
    void anAppLabelledForTraefikIsRoutedByItsRuleWithItsProtections() throws Exception {
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.trustedProxies(List.of("127.0.0.1/32"))))
                .app("/shop", Map.of("traefik.frontend.rule", "Host:shop.example.com;PathPrefix:/cart",
                        "traefik.frontend.whiteList.sourceRange", "10.9.0.0/16"), origin.backend("/shop"))
                .app("/strip", Map.of("traefik.frontend.rule", "PathPrefixStrip:/x"), origin.backend("/strip"));
        try (RawHttp c = new RawHttp(proxy.port())) {
            assertThat(c.send("GET /cart/1 HTTP/1.1\r\nHost: shop.example.com\r\nX-Forwarded-For: 10.9.1.1\r\n\r\n")
                    .read().status()).isEqualTo(200);
        }
        try (RawHttp c = new RawHttp(proxy.port())) {
            assertThat(c.send("GET /cart/1 HTTP/1.1\r\nHost: shop.example.com\r\nX-Forwarded-For: 10.8.1.1\r\n\r\n")
                    .read().status()).as("outside the whitelist").isEqualTo(403);
        }
        try (RawHttp c = new RawHttp(proxy.port())) {
            assertThat(c.send("GET /other HTTP/1.1\r\nHost: shop.example.com\r\nX-Forwarded-For: 10.9.1.1\r\n\r\n")
                    .read().status()).as("outside the rule's prefix").isEqualTo(404);
        }
        // A rule that cannot be honoured keeps the app off the table, not at its derived name.
        assertThat(get(proxy.port(), "strip." + ProxyFixture.DOMAIN).status()).isEqualTo(404);
    }

    @Test
    void anAppWithNoTaskDoesNotHideAHealthyOneOnTheSameVhost() throws Exception {
        ProxyFixture proxy = closer.use(new ProxyFixture())
                .app("/a-empty", Map.of("HAPROXY_0_VHOST", "shared.example.com"))
                .app("/b-live", Map.of("HAPROXY_0_VHOST", "shared.example.com"), origin.backend("/b-live"));
        RawHttp.Response r = get(proxy.port(), "shared.example.com");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("app");
        // Once neither has a task, the first keeps the host: 503, not 404.
        proxy.app("/b-live", Map.of("HAPROXY_0_VHOST", "shared.example.com"));
        assertThat(get(proxy.port(), "shared.example.com").status()).isEqualTo(503);
    }

    @Test
    void aPathLabelWithHAProxysIgnoreCaseFlagMatchesInAnyCase() throws Exception {
        TestOrigin web = closer.use(TestOrigin.marker("web"));
        ProxyFixture proxy = closer.use(new ProxyFixture())
                .app("/web", Map.of("HAPROXY_0_VHOST", "m.example.com"), web.backend("/web"))
                .app("/multi", Map.of("HAPROXY_0_VHOST", "m.example.com", "HAPROXY_0_PATH", "-i /Multiple"),
                        origin.backend("/multi"))
                .app("/exact", Map.of("HAPROXY_0_VHOST", "m.example.com", "HAPROXY_0_PATH", "/Exact"), origin.backend("/exact"));
        for (String target : new String[] {"/Multiple/a", "/multiple/a", "/MULTIPLE"}) {
            try (RawHttp c = new RawHttp(proxy.port())) {
                assertThat(c.send("GET " + target + " HTTP/1.1\r\nHost: m.example.com\r\n\r\n").read().text())
                        .as(target).isEqualTo("app");
            }
        }
        try (RawHttp c = new RawHttp(proxy.port())) {
            assertThat(c.send("GET /exact HTTP/1.1\r\nHost: m.example.com\r\n\r\n").read().text())
                    .as("without -i the case matters").isEqualTo("web");
        }
    }
}
