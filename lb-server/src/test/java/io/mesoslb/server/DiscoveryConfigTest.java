package io.mesoslb.server;

import io.mesoslb.server.routes.RouteSources;
import io.mesoslb.server.testing.Closer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.discovery.DiscoverySource;
import io.mesoslb.discovery.file.FileDiscovery;
import io.mesoslb.discovery.marathon.MarathonConfig;
import io.mesoslb.discovery.marathon.MarathonDiscovery;
import io.mesoslb.server.config.ConfigException;
import io.mesoslb.server.config.ConfigLoader;
import io.mesoslb.server.config.ServerConfig;
import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.MarathonSimulator;
import io.mesoslb.testkit.SimulatorOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The Marathon settings and the choice of the one discovery source. */
class DiscoveryConfigTest {
    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path dir;

    private final RouteTableHolder routes = new RouteTableHolder(new VhostNaming("example.com"));

    @Test
    void marathonSettingsReachTheDiscoveryConfig() throws Exception {
        Path file = dir.resolve("lb.yaml");
        Files.writeString(file, String.join("\n",
                "marathon-urls: [http://m1:8080, http://m2:8080]",
                "marathon-token: abc.def",
                "marathon-token-style: Bearer",
                "marathon-read-idle-timeout: 45s",
                "marathon-resync-interval: 10m",
                ""));

        ServerConfig c = load("--config", file.toString());
        MarathonConfig m = c.marathon().toConfig(c.marathonUrls());

        assertThat(m.urls()).hasSize(2);
        assertThat(m.token()).isEqualTo("abc.def");
        assertThat(m.tokenScheme()).isEqualTo(MarathonConfig.TokenScheme.BEARER);
        assertThat(m.username()).isNull();
        assertThat(m.truststore()).isNull();
        assertThat(m.readIdleTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(m.resyncInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.marathon().toString()).doesNotContain("abc.def");
    }

    @Test
    void defaultsMatchMarathonsHeartbeatAndAResyncEveryFewMinutes() {
        ServerConfig c = load("--marathon-urls=http://m:8080");
        MarathonConfig m = c.marathon().toConfig(c.marathonUrls());
        assertThat(m.readIdleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(m.resyncInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(m.username()).isNull();
        assertThat(m.token()).isNull();
    }

    @Test
    void inconsistentMarathonSettingsAreReportedTogether() {
        assertThatThrownBy(() -> load("--marathon-user=lb", "--marathon-token=t", "--marathon-token-style=jwt",
                "--marathon-read-idle-timeout=0s", "--marathon-resync-interval=soon"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("marathon-user and marathon-password go together")
                .hasMessageContaining("not both")
                .hasMessageContaining("marathon-token-style must be dcos or bearer, got 'jwt'")
                .hasMessageContaining("marathon-read-idle-timeout must be positive")
                .hasMessageContaining("marathon-resync-interval");
    }

    @Test
    void credentialsInMarathonUrlsBecomeBasicAuthAndLeaveTheUrls() {
        ServerConfig c = load("--marathon-urls=http://lb:s3%2Fcret@m1:8080,http://m2:8080", "--domain=example.com");
        MarathonConfig m = c.marathon().toConfig(c.marathonUrls());

        assertThat(c.marathonUrls()).containsExactly(URI.create("http://m1:8080"), URI.create("http://m2:8080"));
        assertThat(m.username()).isEqualTo("lb");
        assertThat(m.password()).isEqualTo("s3/cret");
        assertThat(c.toString()).doesNotContain("s3");
        assertThat(load("--marathon-urls=http://lb:s3cret@m1:8080", "--marathon-user=lb", "--marathon-password=s3cret")
                .marathon().password()).isEqualTo("s3cret");
    }

    @Test
    void conflictingOrIncompleteCredentialsInUrlsAreRefusedByKeyNeverShown() {
        assertThatThrownBy(() -> load("--marathon-urls=http://lb:s3cret@m1:8080", "--marathon-user=lb",
                "--marathon-password=0ther"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("the credentials in marathon-urls differ from marathon-user/marathon-password")
                .hasMessageNotContaining("s3cret").hasMessageNotContaining("0ther");
        assertThatThrownBy(() -> load("--marathon-urls=http://lb:s3cret@m1:8080", "--marathon-token=t0ken"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("marathon-urls carry credentials and marathon-token is set")
                .hasMessageNotContaining("s3cret").hasMessageNotContaining("t0ken");
        assertThatThrownBy(() -> load("--marathon-urls=http://lb:s3cret@m1:8080,http://lb:0ther@m2:8080"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("marathon-urls: the URLs carry different credentials")
                .hasMessageNotContaining("s3cret").hasMessageNotContaining("0ther");
        assertThatThrownBy(() -> load("--marathon-urls=http://t0ken@m1:8080"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("marathon-urls: http://m1:8080 carries credentials without both a user and a password")
                .hasMessageNotContaining("t0ken");
        assertThatThrownBy(() -> load("--marathon-urls=ftp://lb:s3cret@m1,http://lb:s3/cret@m2:8080"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'ftp://m1' is not an http(s) URL")
                .hasMessageContaining("'http://m2:8080' is not an http(s) URL")
                .hasMessageNotContaining("cret");
        assertThatThrownBy(() -> ConfigLoader.load("--marathon-urls", "http://m1:8080",
                "http://lb:s3cret@m2:8080"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http://m2:8080")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void mesosUrlsWithCredentialsAreRefusedUnshown() {
        assertThatThrownBy(() -> load("--mesos-urls=http://lb:s3cret@m1:5050,https://lb:s3cret@m2:5050"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("mesos-urls: 'http://m1:5050' must not carry credentials")
                .hasMessageContaining("mesos-urls: 'https://m2:5050' must be http")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void helpListsTheMarathonKeys() {
        for (String key : List.of("marathon-user", "marathon-password", "marathon-token", "marathon-token-style",
                "marathon-truststore", "marathon-truststore-password", "marathon-truststore-type",
                "marathon-read-idle-timeout", "marathon-resync-interval")) {
            assertThat(ConfigLoader.usage()).containsPattern("--" + key + "[=\\[]");
        }
    }

    @Test
    void exactlyOneSourceOfRoutes() {
        assertThatThrownBy(() -> RouteSources.create(load(), routes))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no source of routes");
        assertThatThrownBy(() -> RouteSources.create(
                load("--marathon-urls=http://m:8080", "--routes-file=/tmp/apps.json"), routes))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not both");

        assertThat(closer.use(RouteSources.create(load("--routes-file=" + dir.resolve("apps.json")), routes)))
                .isInstanceOf(FileDiscovery.class);
        assertThat(closer.use(RouteSources.create(load("--marathon-urls=http://m:8080"), routes)))
                .isInstanceOf(MarathonDiscovery.class);
    }

    @Test
    void unreadableTruststoreIsAConfigurationError() {
        ServerConfig c = load("--marathon-urls=https://m:8443", "--marathon-truststore=" + dir.resolve("none.p12"));
        assertThatThrownBy(() -> RouteSources.create(c, routes))
                .isInstanceOf(ConfigException.class).hasMessageContaining("none.p12");
    }

    @Test
    void basicAuthFromFlagsIsWhatMarathonGets() {
        MarathonSimulator sim = closer.use(MarathonSimulator.start(SimulatorOptions.builder()
                .basicAuth("lb", "s3cret").build()));
        sim.createApp("/web", 2, Map.of(), false);

        DiscoverySource source = closer.use(RouteSources.create(load("--marathon-urls=" + sim.uri(),
                "--marathon-user=lb", "--marathon-password=s3cret"), routes));
        source.start();

        Await.until(Duration.ofSeconds(20), () -> size(routes.current().lookup("web.example.com")) == 2,
                () -> "routed; discovery " + source.state());
    }

    private static int size(Route route) {
        return route == null ? 0 : route.size();
    }

    private static ServerConfig load(String... args) {
        return ConfigLoader.load(args);
    }
}
