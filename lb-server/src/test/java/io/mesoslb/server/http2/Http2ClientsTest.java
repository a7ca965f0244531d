package io.mesoslb.server.http2;

import io.mesoslb.server.observe.PrometheusText;
import io.mesoslb.server.testing.AccessLogCapture;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.Curl;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RecordedRequest;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
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
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real HTTP/2 clients through the balancer: curl over TLS (ALPN) and with prior knowledge over the
 * plain port, and the JDK's client over TLS. Each request is routed by its {@code :authority},
 * reaches the backend as HTTP/1.1, and is counted and logged as HTTP/2.
 */
class Http2ClientsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Closer closer = new Closer();

    @RegisterExtension
    final AccessLogCapture accessLog = new AccessLogCapture();

    static String file(String name) throws Exception {
        return Path.of(Http2ClientsTest.class.getResource("/io/mesoslb/server/tls/" + name).toURI()).toString();
    }

    /** A proxy with TLS (the test certificates) and h2c by prior knowledge, apps /one and /two. */
    private ProxyFixture proxy(TestOrigin one, TestOrigin two) throws Exception {
        String cert = file("default.crt");
        String key = file("default.key");
        return closer.use(new ProxyFixture(b -> b.httpsPort(0).tlsCertificate(cert, key, List.of())
                .h2cPriorKnowledge(true))).app("/one", one).app("/two", two);
    }

    private static PrometheusText metrics(ProxyFixture proxy) {
        return PrometheusText.parse(proxy.server.meterRegistry().scrape());
    }

    @Test
    void curlOverTlsNegotiatesH2AndIsRoutedByAuthority() throws Exception {
        Curl.require();
        TestOrigin one = closer.use(TestOrigin.hostAndTarget("one"));
        TestOrigin two = closer.use(TestOrigin.hostAndTarget("two"));
        ProxyFixture proxy = proxy(one, two);
        int port = proxy.server.httpsPort();

        for (String app : List.of("one", "two")) {
            String host = app + ".test.local";
            Curl.Result r = Curl.fetch(List.of("--http2", "-k", "--resolve", host + ":" + port + ":127.0.0.1",
                    "https://" + host + ":" + port + "/path/" + app + "?q=1"));
            assertThat(r.exit()).as(r.stderr()).isZero();
            assertThat(r.httpVersion()).isEqualTo("2");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(app + " " + host + ":" + port + " /path/" + app + "?q=1");
        }
        RecordedRequest seen = one.recorded.poll();
        assertThat(seen.version()).as("the backend speaks HTTP/1.1").isEqualTo("HTTP/1.1");
        assertThat(seen.headers().get("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(seen.headers().names()).noneMatch(n -> n.toLowerCase().startsWith("x-http2-"));

        List<String> lines = accessLog.await(2);
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"GET /path/one?q=1 HTTP/2.0\" 200"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"GET /path/two?q=1 HTTP/2.0\" 200"));
        PrometheusText m = metrics(proxy);
        assertThat(m.get("mesoslb_requests_total{app=\"/one\",status=\"200\",vhost=\"one.test.local\"}")).isEqualTo(1.0);
        assertThat(m.get("mesoslb_requests_total{app=\"/two\",status=\"200\",vhost=\"two.test.local\"}")).isEqualTo(1.0);
    }

    @Test
    void withHttp2OffTlsClientsGetHttp1() throws Exception {
        Curl.require();
        TestOrigin one = closer.use(TestOrigin.hostAndTarget("one"));
        String cert = file("default.crt");
        String key = file("default.key");
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.httpsPort(0).tlsCertificate(cert, key, List.of())
                .http2(false))).app("/one", one);
        int port = proxy.server.httpsPort();
        Curl.Result r = Curl.fetch(List.of("--http2", "-k", "--resolve", "one.test.local:" + port + ":127.0.0.1",
                "https://one.test.local:" + port + "/x"));
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.httpVersion()).isEqualTo("1.1");
        assertThat(r.body()).isEqualTo("one one.test.local:" + port + " /x");
    }

    @Test
    void curlWithPriorKnowledgeSpeaksH2cOnThePlainPortBesideHttp1() throws Exception {
        Curl.require();
        TestOrigin one = closer.use(TestOrigin.hostAndTarget("one"));
        ProxyFixture proxy = proxy(one, closer.use(TestOrigin.marker("two")));

        Curl.Result h2c = Curl.fetch(List.of("--http2-prior-knowledge", "-H", "Host: one.test.local",
                "http://127.0.0.1:" + proxy.port() + "/c"));
        assertThat(h2c.exit()).as(h2c.stderr()).isZero();
        assertThat(h2c.httpVersion()).isEqualTo("2");
        assertThat(h2c.body()).isEqualTo("one one.test.local /c");

        Curl.Result http1 = Curl.fetch(List.of("--http1.1", "-H", "Host: one.test.local",
                "http://127.0.0.1:" + proxy.port() + "/d"));
        assertThat(http1.httpVersion()).isEqualTo("1.1");
        assertThat(http1.body()).isEqualTo("one one.test.local /d");
        assertThat(accessLog.await(2)).anySatisfy(l -> assertThat(l).contains("\"GET /c HTTP/2.0\" 200"))
                .anySatisfy(l -> assertThat(l).contains("\"GET /d HTTP/1.1\" 200"));
        assertThat(one.recorded.stream().map(RecordedRequest::version)).containsOnly("HTTP/1.1");
    }

    @Test
    void withoutTheSettingThePrefaceIsRefusedAndCurlsUpgradeIsNotPassedOn() throws Exception {
        Curl.require();
        TestOrigin one = closer.use(TestOrigin.hostAndTarget("one"));
        ProxyFixture proxy = closer.use(new ProxyFixture()).app("/one", one);

        Curl.Result h2c = Curl.fetch(List.of("--http2-prior-knowledge", "-H", "Host: one.test.local",
                "http://127.0.0.1:" + proxy.port() + "/c"));
        assertThat(h2c.status()).as("no HTTP/2 on this port").isNotEqualTo(200);

        // curl --http2 over plain http asks for an Upgrade to h2c: answered in HTTP/1.1, nothing upgraded.
        Curl.Result upgrade = Curl.fetch(List.of("--http2", "-H", "Host: one.test.local",
                "http://127.0.0.1:" + proxy.port() + "/u"));
        assertThat(upgrade.exit()).as(upgrade.stderr()).isZero();
        assertThat(upgrade.httpVersion()).isEqualTo("1.1");
        assertThat(upgrade.body()).isEqualTo("one one.test.local /u");
        RecordedRequest seen = one.recorded.stream().filter(q -> q.uri().equals("/u")).findFirst().orElseThrow();
        assertThat(seen.headers().contains("Upgrade")).isFalse();
        assertThat(seen.headers().contains("HTTP2-Settings")).isFalse();
        assertThat(seen.headers().contains("Connection")).isFalse();
    }

    @Test
    void theJdkClientNegotiatesH2OverTls() throws Exception {
        TestOrigin local = closer.use(TestOrigin.hostAndTarget("local"));
        // The test certificate is for localhost, which the JDK client verifies and sends as :authority.
        ProxyFixture proxy = proxy(closer.use(TestOrigin.marker("one")), closer.use(TestOrigin.marker("two")))
                .app("/local", Map.of("MESOS_LB_VHOST", "localhost"), local.backend("/local"));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(trusting())
                .connectTimeout(WAIT).build();
        String authority = "localhost:" + proxy.server.httpsPort();
        URI uri = URI.create("https://" + authority + "/jdk");
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(WAIT)
                    .POST(HttpRequest.BodyPublishers.ofString("body " + i)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("local " + authority + " /jdk");
        }
        assertThat(metrics(proxy).get("mesoslb_connections_total")).as("three streams on one connection").isEqualTo(1.0);

        // A host field that disagrees with :authority is a malformed request (RFC 9113 8.3.1): reset, never routed.
        assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(uri).header("Host", "one.test.local").timeout(WAIT)
                .build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class)
                .hasMessageContaining("RST_STREAM");
        assertThat(local.requests.get()).isEqualTo(3);
    }

    private static SSLContext trusting() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Http2ClientsTest.class.getResourceAsStream("/io/mesoslb/server/tls/default.crt")) {
            trust.setCertificateEntry("default", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
