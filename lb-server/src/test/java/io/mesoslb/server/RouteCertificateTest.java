package io.mesoslb.server;

import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.LogCapture;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.SelfSignedPem;
import io.mesoslb.server.testing.TestOrigin;
import io.mesoslb.server.testing.TlsClient;
import io.mesoslb.server.tls.IgnoredCertificates;
import io.mesoslb.server.tls.RouteCertificates;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.mesoslb.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code HAPROXY_<n>_SSL_CERT}: a route's own certificate file, served by SNI for its vhosts. */
class RouteCertificateTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String DEFAULT = "CN=default.test.local";

    @RegisterExtension
    final Closer closer = new Closer();
    @RegisterExtension
    final LogCapture errors = LogCapture.of(RouteCertificates.class.getName(), Level.WARN);
    @RegisterExtension
    final LogCapture ignored = LogCapture.of(IgnoredCertificates.class.getName(), Level.WARN);

    @TempDir
    Path dir;

    private static String resource(String name) throws Exception {
        return Path.of(RouteCertificateTest.class.getResource("tls/" + name).toURI()).toString();
    }

    private ProxyFixture tlsProxy() {
        return closer.use(new ProxyFixture(b -> {
            try {
                return b.httpsPort(0).tlsCertificate(resource("default.crt"), resource("default.key"), List.of());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }));
    }

    private static Map<String, String> labels(String vhost, Path cert) {
        return Map.of("HAPROXY_0_VHOST", vhost, "HAPROXY_0_SSL_CERT", cert.toString());
    }

    /** Which certificate is served: the choice is by SNI alone, so any certificate is accepted here. */
    private static SSLContext anyCertificate() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new AnyCertificate()}, null);
        return context;
    }

    private static SSLSocket handshake(int port, String sni) throws Exception {
        return TlsClient.handshake(anyCertificate(), port, sni);
    }

    private static String served(int port, String sni) {
        try {
            return TlsClient.servedSubject(anyCertificate(), port, sni);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitServed(int port, String sni, String subject) {
        Await.until(WAIT, () -> served(port, sni).equals(subject),
                () -> sni + " should get " + subject + ", gets " + served(port, sni));
    }

    @Test
    void aRoutesCertificateServesItsVhostsAndFollowsTheLabelAndTheFile() throws Exception {
        Path first = SelfSignedPem.write(dir.resolve("shop.pem"), "shop.test.local");
        Path second = SelfSignedPem.write(dir.resolve("shop-v2.pem"), "v2.shop.test.local");
        TestOrigin origin = closer.use(TestOrigin.marker("shop"));
        ProxyFixture proxy = tlsProxy().app("/shop", labels("shop.test.local", first), origin.backend("/shop"));
        int port = proxy.server.httpsPort();

        awaitServed(port, "shop.test.local", "CN=shop.test.local");
        assertThat(served(port, "other.test.local")).isEqualTo(DEFAULT);
        assertThat(served(port, null)).isEqualTo(DEFAULT);
        try (RawHttp c = new RawHttp(handshake(port, "shop.test.local"))) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: shop.test.local\r\n\r\n").read().text()).isEqualTo("shop");
        }

        // The label names another file: the next table serves it.
        proxy.app("/shop", labels("shop.test.local", second), origin.backend("/shop"));
        awaitServed(port, "shop.test.local", "CN=v2.shop.test.local");

        // The file renewed in place is read again (its modification time moved) at the next look.
        SelfSignedPem.write(second, "v3.shop.test.local");
        Files.setLastModifiedTime(second, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        proxy.app("/other", Map.of("HAPROXY_0_VHOST", "other.test.local"), origin.backend("/other"));
        awaitServed(port, "shop.test.local", "CN=v3.shop.test.local");

        // Caught half-written: the certificate it last gave stays, and the problem is said.
        Files.writeString(second, "-----BEGIN CERTIFICATE-----\nMIIB");
        Files.setLastModifiedTime(second, FileTime.fromMillis(System.currentTimeMillis() + 120_000));
        proxy.app("/other", Map.of("HAPROXY_0_VHOST", "other.test.local", "HAPROXY_0_STICKY", "true"),
                origin.backend("/other"));
        Await.until(WAIT, () -> errors.messages().stream().anyMatch(m -> m.contains(second.toString())), "error logged");
        assertThat(errors.messages()).singleElement().asString().contains("app /shop", "last gave");
        assertThat(served(port, "shop.test.local")).isEqualTo("CN=v3.shop.test.local");
    }

    @Test
    void anUnusableFileIsLoggedOnceAndItsHostsGetTheDefaultCertificate() throws Exception {
        Path missing = dir.resolve("not-there.pem");
        Path good = SelfSignedPem.write(dir.resolve("b.pem"), "b.test.local");
        Path alsoGood = SelfSignedPem.write(dir.resolve("b2.pem"), "b2.test.local");
        TestOrigin origin = closer.use(TestOrigin.marker("a"));
        ProxyFixture proxy = tlsProxy().app("/a", labels("a.test.local", missing), origin.backend("/a"))
                .app("/b", labels("b.test.local", good), origin.backend("/b"));
        int port = proxy.server.httpsPort();
        // /b's certificate served: the look at the table that found /a's file missing is done.
        awaitServed(port, "b.test.local", "CN=b.test.local");
        assertThat(served(port, "a.test.local")).isEqualTo(DEFAULT);
        assertThat(errors.messages()).singleElement().asString()
                .contains("app /a", missing.toString(), "no such file", "default certificate");

        proxy.app("/b", labels("b.test.local", alsoGood), origin.backend("/b"));
        awaitServed(port, "b.test.local", "CN=b2.test.local");
        assertThat(errors.messages()).as("said once, not on every table").hasSize(1);
        // Not an access restriction: the route stays up.
        assertThat(proxy.get("a.test.local", "/").body()).isEqualTo("a");
        try (RawHttp c = new RawHttp(handshake(port, "a.test.local"))) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a.test.local\r\n\r\n").read().text()).isEqualTo("a");
        }
    }

    @Test
    void withoutAnHttpsListenerTheLabelIsWarnedAboutOnceAndIgnored() throws Exception {
        Path cert = SelfSignedPem.write(dir.resolve("shop.pem"), "shop.test.local");
        TestOrigin origin = closer.use(TestOrigin.marker("shop"));
        ProxyFixture proxy = closer.use(new ProxyFixture())
                .app("/shop", labels("shop.test.local", cert), origin.backend("/shop"))
                .app("/other", origin.backend("/other"));
        proxy.app("/other", Map.of("HAPROXY_0_STICKY", "true"), origin.backend("/other"));

        assertThat(ignored.messages()).singleElement().asString().contains("app /shop", cert.toString(), "https-port");
        assertThat(proxy.get("shop.test.local", "/").body()).isEqualTo("shop");
    }

    private static final class AnyCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
