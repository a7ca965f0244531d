package io.mesoslb.server.auth;

import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * marathon-lb's {@code HAPROXY_0_AUTH} over real sockets: 401 with a challenge without credentials
 * or with wrong ones, 200 with the right ones, for each crypt(3) family users put in the label; a
 * label that cannot be honoured keeps the app port off the table.
 */
class BasicAuthRouteTest {
    @RegisterExtension
    final Closer closer = new Closer();

    private final TestOrigin origin = closer.use(TestOrigin.marker("protected"));

    private static RawHttp.Response get(int port, String host, String user, String password) throws IOException {
        String auth = user == null ? "" : "Authorization: Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)) + "\r\n";
        try (RawHttp c = new RawHttp(port)) {
            return c.send("GET / HTTP/1.1\r\nHost: " + host + "\r\n" + auth + "\r\n").read();
        }
    }

    @Test
    void eachHashFamilyGuardsItsAppWith401UntilTheRightPassword() throws Exception {
        ProxyFixture proxy = closer.use(new ProxyFixture());
        Map<String, String> hashes = Map.of("sha512", KnownHashes.SHA512, "yescrypt", KnownHashes.YESCRYPT,
                "bcrypt", KnownHashes.BCRYPT, "md5", KnownHashes.MD5);
        hashes.forEach((family, hash) -> proxy.app("/" + family,
                Map.of("HAPROXY_0_VHOST", family + ".example.com", "HAPROXY_0_AUTH", "Staff only:alice:" + hash),
                origin.backend("/" + family)));
        for (String family : hashes.keySet()) {
            String host = family + ".example.com";
            RawHttp.Response none = get(proxy.port(), host, null, null);
            assertThat(none.status()).as(family).isEqualTo(401);
            assertThat(none.header("www-authenticate")).as(family).startsWith("Basic realm=\"Staff only\"");
            assertThat(get(proxy.port(), host, "alice", KnownHashes.WRONG_PASSWORD).status()).as(family).isEqualTo(401);
            assertThat(get(proxy.port(), host, "bob", KnownHashes.PASSWORD).status()).as(family).isEqualTo(401);
            RawHttp.Response ok = get(proxy.port(), host, "alice", KnownHashes.PASSWORD);
            assertThat(ok.status()).as(family).isEqualTo(200);
            assertThat(ok.text()).isEqualTo("protected");
            assertThat(get(proxy.port(), host, "alice", KnownHashes.PASSWORD).status()).as(family + ", cached").isEqualTo(200);
        }
        assertThat(origin.requests.get()).as("only the authenticated requests").isEqualTo(2 * hashes.size());
        assertThat(proxy.server.meterRegistry().find("mesoslb.auth.queue.full").functionCounter().count())
                .as("the hashing queue never overflowed").isZero();
    }

    /** Stricter than marathon-lb, whose :9091 frontend skips the :80 frontend's auth ACLs. */
    @Test
    void theAppIdPortAsksForCredentialsToo() throws Exception {
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.appIdPort(0))).app("/locked",
                Map.of("HAPROXY_0_AUTH", "Staff only:alice:" + KnownHashes.SHA512), origin.backend("/locked"));
        String byId = "elsewhere.example\r\nX-Marathon-App-Id: /locked";
        RawHttp.Response none = get(proxy.server.appIdPort(), byId, null, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("www-authenticate")).startsWith("Basic realm=\"Staff only\"");
        assertThat(get(proxy.server.appIdPort(), byId, "alice", KnownHashes.PASSWORD).text()).isEqualTo("protected");
        assertThat(origin.requests.get()).isEqualTo(1);
    }

    @Test
    void anAuthLabelThatCannotBeHonouredKeepsThePortOff() throws Exception {
        ProxyFixture proxy = closer.use(new ProxyFixture())
                .app("/two", Map.of("HAPROXY_0_VHOST", "two.example.com", "HAPROXY_0_AUTH", "realm:alice"), origin.backend("/two"))
                .app("/plain", Map.of("HAPROXY_0_VHOST", "plain.example.com", "HAPROXY_0_AUTH", "realm:alice:s3cret"),
                        origin.backend("/plain"))
                .app("/four", Map.of("HAPROXY_0_VHOST", "four.example.com", "HAPROXY_0_AUTH", "realm:alice:" + KnownHashes.MD5
                        + ":x"), origin.backend("/four"));
        for (String host : new String[] {"two.example.com", "plain.example.com", "four.example.com"}) {
            assertThat(get(proxy.port(), host, "alice", KnownHashes.PASSWORD).status()).as(host).isEqualTo(404);
        }
        assertThat(origin.requests.get()).isZero();
    }

    @Test
    void pipelinedRequestsWaitForTheVerdictInOrder() throws Exception {
        ProxyFixture proxy = closer.use(new ProxyFixture()).app("/p",
                Map.of("HAPROXY_0_VHOST", "p.example.com", "HAPROXY_0_AUTH", "r:alice:" + KnownHashes.SHA512), origin.backend("/p"));
        String auth = "Authorization: Basic " + Base64.getEncoder()
                .encodeToString(("alice:" + KnownHashes.PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n";
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send("GET /1 HTTP/1.1\r\nHost: p.example.com\r\n" + auth + "\r\n"
                    + "GET /2 HTTP/1.1\r\nHost: p.example.com\r\n\r\n"
                    + "GET /3 HTTP/1.1\r\nHost: p.example.com\r\n" + auth + "\r\n");
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(c.read().status()).isEqualTo(401);
            assertThat(c.read().status()).isEqualTo(200);
        }
    }
}
