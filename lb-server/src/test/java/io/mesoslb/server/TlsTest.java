package io.mesoslb.server;

import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.RecordedRequest;
import io.mesoslb.server.testing.TestOrigin;
import io.mesoslb.server.testing.TlsClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** TLS termination with a certificate per SNI name (test certificates in src/test/resources/.../tls). */
class TlsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static TrustManagerFactory trust;

    @RegisterExtension
    final Closer closer = new Closer();

    @BeforeAll
    static void trustTheTestCertificates() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        for (String name : List.of("default", "secure")) {
            try (InputStream in = TlsTest.class.getResourceAsStream("tls/" + name + ".crt")) {
                trust.setCertificateEntry(name, x509.generateCertificate(in));
            }
        }
        TlsTest.trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        TlsTest.trust.init(trust);
    }

    /** A new context each time: a resumed session keeps the certificate it was made with, skipping the choice under test. */
    private static SSLContext trusting() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static String file(String name) throws Exception {
        return Path.of(TlsTest.class.getResource("tls/" + name).toURI()).toString();
    }

    private ProxyFixture proxy(TestOrigin origin) throws Exception {
        return closer.use(new ProxyFixture(b -> {
            try {
                return b.httpsPort(0)
                        .tlsCertificate(file("default.crt"), file("default.key"), List.of())
                        .tlsCertificate(file("secure.crt"), file("secure.key"),
                                List.of("secure.test.local", "*.secure.test.local"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })).app("/app", origin);
    }

    private static SSLSocket handshake(int port, String sni) throws Exception {
        return TlsClient.handshake(trusting(), port, sni);
    }

    private static String servedCertificate(int port, String sni) throws Exception {
        return TlsClient.servedSubject(trusting(), port, sni);
    }

    @Test
    void eachSniNameGetsItsCertificateAndOthersTheDefault() throws Exception {
        ProxyFixture proxy = proxy(closer.use(TestOrigin.marker("app")));
        int port = proxy.server.httpsPort();

        assertThat(servedCertificate(port, "secure.test.local")).isEqualTo("CN=secure.test.local");
        assertThat(servedCertificate(port, "api.secure.test.local")).isEqualTo("CN=secure.test.local");
        assertThat(servedCertificate(port, "other.example.com")).isEqualTo("CN=default.test.local");
        assertThat(servedCertificate(port, null)).isEqualTo("CN=default.test.local");
    }

    @Test
    void anHttpsOnlyAppIsRedirectedOnPlainHttpAndProxiedOverTls() throws Exception {
        TestOrigin origin = closer.use(TestOrigin.marker("app"));
        ProxyFixture proxy = proxy(origin);
        proxy.app("/app", Map.of("HAPROXY_0_REDIRECT_TO_HTTPS", "true"), origin.backend("/app"));
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send("GET /cart?id=7 HTTP/1.1\r\nHost: App.Test.Local:8080\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(301);
            assertThat(r.header("location")).isEqualTo("https://App.Test.Local/cart?id=7");
            RawHttp.Response post = c.send("POST /pay HTTP/1.1\r\nHost: app.test.local\r\nContent-Length: 0\r\n\r\n").read();
            assertThat(post.status()).as("a method that must not turn into GET").isEqualTo(308);
        }
        assertThat(origin.requests.get()).isZero();

        try (RawHttp c = new RawHttp(handshake(proxy.server.httpsPort(), "secure.test.local"))) {
            assertThat(c.send("GET /cart HTTP/1.1\r\nHost: app.test.local\r\n\r\n").read().text()).isEqualTo("app");
        }
    }

    @Test
    void requestsOverTlsAreProxiedAndMarkedHttps() throws Exception {
        TestOrigin origin = closer.use(TestOrigin.marker("app"));
        ProxyFixture proxy = proxy(origin);
        int port = proxy.server.httpsPort();
        try (RawHttp c = new RawHttp(handshake(port, "secure.test.local"))) {
            RawHttp.Response r = c.send("GET /s HTTP/1.1\r\nHost: app.test.local\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("app");
        }
        RecordedRequest seen = origin.recorded.poll();
        assertThat(seen.headers().get("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(seen.headers().get("X-Forwarded-Port")).isEqualTo(Integer.toString(port));

        // HTTP/1.1: over HTTP/2 the JDK client would send this Host beside a different :authority, a
        // malformed request there (Http2ClientsTest covers the JDK client over h2).
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trusting())
                .connectTimeout(WAIT).build();
        HttpResponse<String> viaJdk = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/j"))
                .header("Host", "app.test.local").timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(viaJdk.statusCode()).isEqualTo(200);
        assertThat(viaJdk.body()).isEqualTo("app");

        // The plain listener still speaks plain HTTP.
        assertThat(proxy.get("app.test.local", "/").body()).isEqualTo("app");
        assertThat(origin.recorded.stream().filter(q -> q.uri().equals("/")).findFirst().orElseThrow()
                .headers().get("X-Forwarded-Proto")).isEqualTo("http");
    }

    @Test
    void aKeyThatIsNotPkcs8StopsStartup() throws Exception {
        assertThatThrownBy(() -> new ProxyFixture(b -> {
            try {
                return b.httpsPort(0).tlsCertificate(file("default.crt"), file("README.txt"), List.of());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PKCS#8");
    }
}
