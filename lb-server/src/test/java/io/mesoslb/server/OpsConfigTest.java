package io.mesoslb.server;

import io.mesoslb.server.tls.TlsCertificate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesoslb.core.Cidr;
import io.mesoslb.server.config.ConfigException;
import io.mesoslb.server.config.ConfigLoader;
import io.mesoslb.server.config.OpsSettings;
import io.mesoslb.server.config.ServerConfig;
import io.mesoslb.server.observe.AccessLogRotation;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operations settings: defaults, file and flags, validation, help. */
class OpsConfigTest {
    @TempDir
    Path dir;

    private static ServerConfig load(String... args) {
        return ConfigLoader.load(args);
    }

    private Path pem(String name) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "-----BEGIN X-----\n-----END X-----\n");
        return p;
    }

    @Test
    void defaults() {
        OpsSettings ops = load().ops();
        assertThat(ops.healthPath()).isEqualTo("/_health");
        assertThat(ops.healthMaxStaleness()).isZero();
        assertThat(ops.drainPeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(ops.accessLog()).isTrue();
        assertThat(ops.accessLogJson()).isFalse();
        assertThat(ops.accessLogFile()).isNull();
        assertThat(ops.accessLogRotation()).isEqualTo(new AccessLogRotation(100L << 20, 14, 5L << 30));
        assertThat(ops.proxyProtocol()).isFalse();
        assertThat(ops.trustedProxies().isEmpty()).isTrue();
        assertThat(ops.adminAllow().isEmpty()).isTrue();
        assertThat(ops.mesosUrls()).isEmpty();
        assertThat(ops.tls()).isFalse();
    }

    @Test
    void accessLogFormatAndFile() throws Exception {
        Path file = dir.resolve("lb.yaml");
        Files.writeString(file, "access-log-format: json\naccess-log-file: " + dir.resolve("access.log") + "\n");
        OpsSettings ops = load("--config", file.toString()).ops();
        assertThat(ops.accessLogJson()).isTrue();
        assertThat(ops.accessLogFile()).isEqualTo(dir.resolve("access.log").toAbsolutePath());
        assertThat(load("--access-log-format=combined").ops().accessLogJson()).isFalse();

        assertThatThrownBy(() -> load("--access-log-format=xml", "--access-log-file=" + dir))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("access-log-format must be combined or json, got 'xml'")
                .hasMessageContaining("is a directory");
    }

    @Test
    void accessLogRotationFromFileAndFlags() throws Exception {
        Path file = dir.resolve("lb.yaml");
        Files.writeString(file, String.join("\n",
                "access-log-file: " + dir.resolve("access.log"),
                "access-log-max-size: 512KB",
                "access-log-max-history: 30",
                "access-log-total-size-cap: 2GB",
                ""));
        assertThat(load("--config", file.toString()).ops().accessLogRotation())
                .isEqualTo(new AccessLogRotation(512L << 10, 30, 2L << 30));
        assertThat(load("--config", file.toString(), "--access-log-max-size=1 mb", "--access-log-total-size-cap=1MB")
                .ops().accessLogRotation()).isEqualTo(new AccessLogRotation(1L << 20, 30, 1L << 20));
    }

    @Test
    void nonsenseRotationSettingsAreConfigurationErrors() {
        assertThatThrownBy(() -> load("--access-log-max-size=100", "--access-log-max-history=0",
                "--access-log-total-size-cap=5TB"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("access-log-max-size: '100' needs a unit: KB, MB or GB")
                .hasMessageContaining("access-log-max-history must be between 1 and 3650, got 0")
                .hasMessageContaining("access-log-total-size-cap: '5TB' has an unknown unit 'tb' (KB, MB, GB)");
        assertThatThrownBy(() -> load("--access-log-max-size=0KB", "--access-log-total-size-cap=-1GB"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("access-log-max-size must be at least 1KB, got '0KB'")
                .hasMessageContaining("access-log-total-size-cap: '-1GB' is not a size (e.g. 512KB, 100MB, 5GB)");
        assertThatThrownBy(() -> load("--access-log-max-size=100MB", "--access-log-total-size-cap=10MB"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("access-log-total-size-cap (10MB) must be at least access-log-max-size (100MB)");
        assertThatThrownBy(() -> load("--access-log-max-size=1.5MB", "--access-log-max-history=x",
                "--access-log-total-size-cap=99999999999GB"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("access-log-max-size: '1.5MB' must be a whole number with a unit (e.g. 512KB, 100MB, 5GB)")
                .hasMessageContaining("access-log-max-history")
                .hasMessageContaining("access-log-total-size-cap: '99999999999GB' is too large");
    }

    @Test
    void yamlFileWithCertificateObjects() throws Exception {
        Path cert = pem("a.crt");
        Path key = pem("a.key");
        Path file = dir.resolve("lb.yaml");
        Files.writeString(file, String.join("\n",
                "health-path: /ping",
                "health-max-staleness: 90s",
                "drain-period: 15s",
                "access-log: false",
                "proxy-protocol: true",
                "proxy-protocol-trusted: [10.20.0.0/16, '2001:db8::/32']",
                "trusted-proxies: [10.0.0.0/8, '::1']",
                "admin-allow: 192.168.0.0/16",
                "mesos-urls: [http://m1:5050, http://m2:5050]",
                "https-port: 9443",
                "tls-certificates:",
                "  - cert: " + cert,
                "    key: " + key,
                "    hosts: [a.example.com, '*.a.example.com']",
                ""));

        OpsSettings ops = load("--config", file.toString()).ops();

        assertThat(ops.healthPath()).isEqualTo("/ping");
        assertThat(ops.healthMaxStaleness()).isEqualTo(Duration.ofSeconds(90));
        assertThat(ops.drainPeriod()).isEqualTo(Duration.ofSeconds(15));
        assertThat(ops.accessLog()).isFalse();
        assertThat(ops.proxyProtocol()).isTrue();
        assertThat(ops.proxyProtocolTrusted().cidrs()).containsExactly(Cidr.parse("10.20.0.0/16"),
                Cidr.parse("2001:db8::/32"));
        assertThat(ops.trustedProxies().cidrs()).containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("::1"));
        assertThat(ops.adminAllow().contains(InetAddress.getByName("192.168.4.5"))).isTrue();
        assertThat(ops.mesosUrls()).containsExactly(URI.create("http://m1:5050"), URI.create("http://m2:5050"));
        assertThat(ops.httpsPort()).isEqualTo(9443);
        assertThat(ops.tlsCertificates()).containsExactly(
                new TlsCertificate(cert, key, List.of("a.example.com", "*.a.example.com")));
    }

    @Test
    void flagsTakeCommaListsAndSemicolonSeparatedCertificates() throws Exception {
        Path a = pem("a.crt");
        Path ak = pem("a.key");
        Path b = pem("b.crt");
        Path bk = pem("b.key");

        OpsSettings ops = load("--trusted-proxies=10.0.0.0/8,172.16.0.0/12", "--admin-allow", "127.0.0.1",
                "--mesos-urls=http://m1:5050,http://m2:5050", "--proxy-protocol", "--proxy-protocol-trusted=0.0.0.0/0,::/0",
                "--tls-certificates=" + a + ":" + ak + ";" + b + ":" + bk + ":b.example.com,*.b.example.com").ops();

        assertThat(ops.trustedProxies().cidrs()).hasSize(2);
        assertThat(ops.adminAllow().contains(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(ops.mesosUrls()).hasSize(2);
        assertThat(ops.proxyProtocol()).isTrue();
        assertThat(ops.proxyProtocolTrusted().contains(InetAddress.getByName("2001:db8::1"))).isTrue();
        assertThat(ops.tlsCertificates()).containsExactly(new TlsCertificate(a, ak, List.of()),
                new TlsCertificate(b, bk, List.of("b.example.com", "*.b.example.com")));
    }

    @Test
    void proxyProtocolWithoutATrustedListIsAConfigurationError() {
        // Fail closed: believing every peer's PROXY header has to be asked for.
        assertThatThrownBy(() -> load("--proxy-protocol=true"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("proxy-protocol-trusted must be set when proxy-protocol is true");
        assertThatThrownBy(() -> load("--proxy-protocol=true", "--proxy-protocol-trusted=10.0.0.0/33"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("proxy-protocol-trusted: ");
        assertThat(load("--proxy-protocol-trusted=10.0.0.0/8").ops().proxyProtocol()).isFalse();
    }

    @Test
    void reportsEveryInvalidOpsSetting() {
        assertThatThrownBy(() -> load("--health-path=health", "--drain-period=-1s", "--trusted-proxies=10.0.0.0/33",
                "--admin-allow=not-an-ip", "--mesos-urls=https://m1:5050", "--https-port=70000",
                "--tls-certificates=/missing.crt:/missing.key:bad/host"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("health-path must start with '/'")
                .hasMessageContaining("drain-period")
                .hasMessageContaining("trusted-proxies")
                .hasMessageContaining("admin-allow")
                .hasMessageContaining("mesos-urls")
                .hasMessageContaining("https-port")
                .hasMessageContaining("cannot read /missing.crt")
                .hasMessageContaining("'bad/host' is not a host name");
    }

    @Test
    void helpListsEveryOpsKey() {
        for (String key : List.of("health-path", "health-max-staleness", "drain-period", "access-log", "access-log-format",
                "access-log-file", "access-log-max-size", "access-log-max-history", "access-log-total-size-cap", "proxy-protocol",
                "proxy-protocol-trusted", "trusted-proxies", "admin-allow", "mesos-urls", "https-port", "tls-certificates")) {
            assertThat(ConfigLoader.usage()).containsPattern("--" + key + "[=\\[]");
        }
    }
}
