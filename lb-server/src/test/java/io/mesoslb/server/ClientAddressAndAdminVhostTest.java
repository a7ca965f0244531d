package io.mesoslb.server;

import static org.assertj.core.api.Assertions.assertThat;
import io.mesoslb.server.config.ServerConfig;
import io.mesoslb.server.testing.AccessLogCapture;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.RecordedRequest;
import io.mesoslb.server.testing.TestOrigin;
import io.mesoslb.testkit.LoopbackPort;


import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who the client is (PROXY protocol v1/v2, trusted X-Forwarded-For), and the admin vhosts that only
 * allow-listed clients may use.
 */
class ClientAddressAndAdminVhostTest {
    private static final String MARATHON = "marathon.admin.test.local";
    private static final String MESOS = "mesos.admin.test.local";

    @RegisterExtension
    final Closer closer = new Closer();
    @RegisterExtension
    final AccessLogCapture accessLog = new AccessLogCapture();

    private final TestOrigin marathon = closer.use(TestOrigin.marker("marathon"));
    private final TestOrigin mesos = closer.use(TestOrigin.marker("mesos"));
    private final TestOrigin app = closer.use(TestOrigin.marker("app"));

    private ProxyFixture proxy(UnaryOperator<ServerConfig.Builder> more) {
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> more.apply(b.domain(ProxyFixture.DOMAIN)
                .marathonUrls(List.of("http://127.0.0.1:" + marathon.port()))
                .mesosUrls(List.of("http://127.0.0.1:" + mesos.port()))
                .adminAllow(List.of("10.1.2.0/24")))));
        return proxy.app("/app", app);
    }

    /** PROXY headers from loopback, where the tests' connections come from, are believed. */
    private static ServerConfig.Builder behindBalancer(ServerConfig.Builder b) {
        return b.proxyProtocol(true).proxyProtocolTrusted(List.of("127.0.0.1/32"));
    }

    private static String get(String host) {
        return "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    }

    private static String getWithXff(String host, String xff) {
        return "GET / HTTP/1.1\r\nHost: " + host + "\r\nX-Forwarded-For: " + xff + "\r\n\r\n";
    }

    private static RawHttp.Response send(int port, byte[] proxyHeader, String request) throws IOException {
        try (RawHttp c = new RawHttp(port)) {
            c.out().write(proxyHeader);
            return c.send(request).read();
        }
    }

    private static RawHttp.Response send(int port, String request) throws IOException {
        try (RawHttp c = new RawHttp(port)) {
            return c.send(request).read();
        }
    }

    private static byte[] v1(String source) {
        return ("PROXY TCP4 " + source + " 10.0.0.1 40000 80\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A PROXY protocol v2 header: TCP over IPv4 from {@code source}, or LOCAL (the balancer's own connection). */
    private static byte[] v2(String source, boolean local) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        out.write(local ? 0x20 : 0x21);
        out.write(0x11);
        out.write(new byte[] {0, 12});
        out.write(InetAddress.getByName(source).getAddress());
        out.write(InetAddress.getByName("10.0.0.1").getAddress());
        out.write(new byte[] {(byte) 0x9c, 0x40, 0, 80});
        return out.toByteArray();
    }

    @Test
    void proxyProtocolV1AndV2SourcesAreTheClient() throws Exception {
        ProxyFixture proxy = proxy(ClientAddressAndAdminVhostTest::behindBalancer);

        assertThat(send(proxy.port(), v1("203.0.113.5"), get("app.test.local")).text()).isEqualTo("app");
        assertThat(app.recorded.poll().headers().get("X-Forwarded-For")).isEqualTo("203.0.113.5");

        assertThat(send(proxy.port(), v2("198.51.100.7", false), get("app.test.local")).text()).isEqualTo("app");
        assertThat(app.recorded.poll().headers().get("X-Forwarded-For")).isEqualTo("198.51.100.7");

        // LOCAL: the balancer speaking for itself, so the peer is the client.
        assertThat(send(proxy.port(), v2("198.51.100.7", true), get("app.test.local")).text()).isEqualTo("app");
        assertThat(app.recorded.poll().headers().get("X-Forwarded-For")).isEqualTo("127.0.0.1");
    }

    @Test
    void accessLogNamesTheClientOfTheProxyHeader() throws Exception {
        ProxyFixture proxy = proxy(ClientAddressAndAdminVhostTest::behindBalancer);

        assertThat(send(proxy.port(), v1("203.0.113.7"), get("app.test.local")).text()).isEqualTo("app");

        assertThat(accessLog.await(1)).singleElement().asString().startsWith("203.0.113.7 - - [")
                .contains("\"GET / HTTP/1.1\" 200 3 ").contains("\"app.test.local\" 127.0.0.1:" + app.port() + " ");
    }

    @Test
    void accessLogNamesTheClientThatATrustedProxyForwardedFor() throws Exception {
        ProxyFixture trusting = proxy(b -> b.trustedProxies(List.of("127.0.0.1/32")));
        ProxyFixture untrusting = proxy(b -> b);

        assertThat(send(trusting.port(), getWithXff("app.test.local", "198.51.100.9")).text()).isEqualTo("app");
        assertThat(accessLog.await(1)).singleElement().asString().startsWith("198.51.100.9 - - [");
        // From a peer that is not trusted, the header is only a claim: the peer is logged.
        assertThat(send(untrusting.port(), getWithXff("app.test.local", "198.51.100.9")).text()).isEqualTo("app");
        assertThat(accessLog.await(2).get(1)).startsWith("127.0.0.1 - - [");
    }

    @Test
    void aConnectionWithoutAValidProxyHeaderIsClosed() throws Exception {
        ProxyFixture proxy = proxy(ClientAddressAndAdminVhostTest::behindBalancer);
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.send(get("app.test.local"));
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(app.requests.get()).isZero();
    }

    @Test
    void adminVhostsAdmitAllowListedClientsThroughProxyProtocol() throws Exception {
        ProxyFixture proxy = proxy(ClientAddressAndAdminVhostTest::behindBalancer);

        RawHttp.Response allowed = send(proxy.port(), v1("10.1.2.3"), get(MARATHON));
        assertThat(allowed.status()).isEqualTo(200);
        assertThat(allowed.text()).isEqualTo("marathon");
        assertThat(send(proxy.port(), v2("10.1.2.200", false), get(MESOS)).text()).isEqualTo("mesos");

        RawHttp.Response refused = send(proxy.port(), v1("10.9.9.9"), get(MARATHON));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(send(proxy.port(), v2("10.9.9.9", false), get(MESOS)).status()).isEqualTo(403);
        // The LOCAL connection's peer (loopback) is not on the list either.
        assertThat(send(proxy.port(), v2("10.1.2.3", true), get(MESOS)).status()).isEqualTo(403);
        // Ordinary apps are open to everyone.
        assertThat(send(proxy.port(), v1("10.9.9.9"), get("app.test.local")).status()).isEqualTo(200);
        assertThat(marathon.requests.get()).isEqualTo(1);
        assertThat(mesos.requests.get()).isEqualTo(1);
    }

    @Test
    void aProxyHeaderFromAPeerOutsideTheTrustedListIsReadButNotBelieved() throws Exception {
        // Someone who reaches the port directly, not through the balancer at 10.20.0.0/16.
        ProxyFixture proxy = proxy(b -> b.proxyProtocol(true).proxyProtocolTrusted(List.of("10.20.0.0/16")));

        assertThat(send(proxy.port(), v1("10.1.2.3"), get(MARATHON)).status()).isEqualTo(403);
        assertThat(send(proxy.port(), v2("10.1.2.3", false), get(MESOS)).status()).isEqualTo(403);
        assertThat(marathon.requests.get() + mesos.requests.get()).isZero();

        // The header is still consumed, so the request after it is served, as the peer's.
        assertThat(send(proxy.port(), v1("203.0.113.5"), get("app.test.local")).text()).isEqualTo("app");
        assertThat(app.recorded.poll().headers().get("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(accessLog.await(3).get(2)).startsWith("127.0.0.1 - - [");
        assertThat(proxy.server.meterRegistry().get("mesoslb.proxy.protocol.untrusted").functionCounter().count())
                .isEqualTo(3);
    }

    @Test
    void garbageInXForwardedForFromATrustedProxyIsNoOneNotTheProxy() throws Exception {
        // The allow-list covers the trusted proxy itself, as a list of "our own networks" would.
        ProxyFixture proxy = proxy(b -> b.trustedProxies(List.of("127.0.0.1/32"))
                .adminAllow(List.of("10.1.2.0/24", "127.0.0.0/8")));
        assertThat(send(proxy.port(), get(MARATHON)).status()).as("the proxy itself, without a header").isEqualTo(200);
        marathon.recorded.poll();

        assertThat(send(proxy.port(), getWithXff(MARATHON, "unknown")).status()).isEqualTo(403);
        assertThat(send(proxy.port(), getWithXff(MARATHON, "10.1.2.3, not-an-ip")).status()).isEqualTo(403);
        assertThat(send(proxy.port(), getWithXff(MARATHON, "127.0.0.1.evil")).status()).isEqualTo(403);
        assertThat(marathon.requests.get()).isEqualTo(1);

        // Ordinary apps still answer; the backend learns the client is unknown, not an invented address.
        assertThat(send(proxy.port(), getWithXff("app.test.local", "bogus")).text()).isEqualTo("app");
        assertThat(app.recorded.poll().headers().get("X-Forwarded-For")).isEqualTo("unknown, 127.0.0.1");
        assertThat(accessLog.await(5).get(4)).startsWith("- - - [");
    }

        @Test
    void adminVhostsTrustXForwardedForOnlyFromTrustedProxies() throws Exception {
        ProxyFixture trusting = proxy(b -> b.trustedProxies(List.of("127.0.0.1/32", "10.200.0.0/16")));

        assertThat(send(trusting.port(), getWithXff(MARATHON, "10.1.2.3")).status()).isEqualTo(200);
        assertThat(marathon.recorded.poll().headers().get("X-Forwarded-For")).isEqualTo("10.1.2.3, 127.0.0.1");
        // Through a second trusted hop; what the client claimed before that is dropped.
        assertThat(send(trusting.port(), getWithXff(MARATHON, "6.6.6.6, 10.1.2.3, 10.200.0.9")).status()).isEqualTo(200);
        assertThat(marathon.recorded.poll().headers().get("X-Forwarded-For")).isEqualTo("10.1.2.3, 10.200.0.9, 127.0.0.1");
        // A forged allowed address left of the real client does not help.
        assertThat(send(trusting.port(), getWithXff(MARATHON, "10.1.2.3, 10.9.9.9")).status()).isEqualTo(403);
        assertThat(send(trusting.port(), getWithXff(MARATHON, "10.9.9.9")).status()).isEqualTo(403);
        assertThat(marathon.requests.get()).isEqualTo(2);

        ProxyFixture untrusting = proxy(b -> b);
        assertThat(send(untrusting.port(), getWithXff(MARATHON, "10.1.2.3")).status()).isEqualTo(403);
        assertThat(send(untrusting.port(), getWithXff("app.test.local", "10.1.2.3")).text()).isEqualTo("app");
        RecordedRequest seen = app.recorded.poll();
        assertThat(seen.headers().get("X-Forwarded-For")).isEqualTo("127.0.0.1");
    }

    @Test
    void schemePortAndHostReportedByATrustedProxyReachTheBackend() throws Exception {
        String viaElb = "GET / HTTP/1.1\r\nHost: app.test.local\r\nX-Forwarded-For: 198.51.100.9\r\n"
                + "X-Forwarded-Proto: https\r\nX-Forwarded-Port: 443\r\nX-Forwarded-Host: shop.example.com\r\n\r\n";

        ProxyFixture trusting = proxy(b -> b.trustedProxies(List.of("127.0.0.1/32")));
        assertThat(send(trusting.port(), viaElb).text()).isEqualTo("app");
        RecordedRequest behindElb = app.recorded.poll();
        // An ELB terminating TLS: the application must see https, or it would redirect to https forever.
        assertThat(behindElb.headers().getAll("X-Forwarded-Proto")).containsExactly("https");
        assertThat(behindElb.headers().getAll("X-Forwarded-Port")).containsExactly("443");
        assertThat(behindElb.headers().getAll("X-Forwarded-Host")).containsExactly("shop.example.com");

        ProxyFixture untrusting = proxy(b -> b);
        assertThat(send(untrusting.port(), viaElb).text()).isEqualTo("app");
        RecordedRequest forged = app.recorded.poll();
        assertThat(forged.headers().getAll("X-Forwarded-Proto")).containsExactly("http");
        assertThat(forged.headers().getAll("X-Forwarded-Port")).containsExactly(Integer.toString(untrusting.port()));
        assertThat(forged.headers().getAll("X-Forwarded-Host")).containsExactly("app.test.local");
    }

    @Test
    void anHttpsOnlyAppBelievesHttpsOnlyFromATrustedProxy() throws Exception {
        String elbSaysHttps = "GET / HTTP/1.1\r\nHost: secure.test.local\r\nX-Forwarded-Proto: https\r\n\r\n";
        ProxyFixture trusting = proxy(b -> b.trustedProxies(List.of("127.0.0.1/32")));
        trusting.app("/secure", Map.of("MESOS_LB_REDIRECT_TO_HTTPS", "true"), app.backend("/secure"));
        assertThat(send(trusting.port(), elbSaysHttps).status()).isEqualTo(200);
        assertThat(send(trusting.port(), "GET / HTTP/1.1\r\nHost: secure.test.local\r\n\r\n").status()).isEqualTo(301);

        ProxyFixture untrusting = proxy(b -> b);
        untrusting.app("/secure", Map.of("MESOS_LB_REDIRECT_TO_HTTPS", "true"), app.backend("/secure"));
        RawHttp.Response forged = send(untrusting.port(), elbSaysHttps);
        assertThat(forged.status()).isEqualTo(301);
        assertThat(forged.header("location")).isEqualTo("https://secure.test.local/");
    }

    @Test
    void theMarathonVhostFailsOverToAMasterThatIsUp() throws Exception {
        LoopbackPort down = closer.use(LoopbackPort.refusing());
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.domain(ProxyFixture.DOMAIN)
                .marathonUrls(List.of("http://127.0.0.1:" + down.port(), "http://127.0.0.1:" + marathon.port()))
                .adminAllow(List.of("127.0.0.1"))));
        for (int i = 0; i < 6; i++) {
            RawHttp.Response r = send(proxy.port(), get(MARATHON));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("marathon");
        }
        assertThat(proxy.routes.current().lookup(MESOS)).as("no Mesos masters configured").isNull();
    }
}
