package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarathonConfigTest {
    private static final List<URI> URLS = List.of(URI.create("https://marathon.mesos:8443/service/marathon/"));

    @Test
    void defaultsAreTheProductionOnes() {
        MarathonConfig config = MarathonConfig.builder(URLS).build();

        assertThat(config.urls()).containsExactly(URI.create("https://marathon.mesos:8443/service/marathon"));
        assertThat(config.readIdleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.resyncInterval()).isEqualTo(Duration.ofSeconds(300));
        assertThat(config.coalesce()).isEqualTo(Duration.ofMillis(5));
        assertThat(config.eventTypes()).isEqualTo(MarathonEvents.ROUTING_TYPES);
        assertThat(config.tokenScheme()).isEqualTo(MarathonConfig.TokenScheme.DCOS);
    }

    @Test
    void credentialsNeverShowInToString() {
        assertThat(MarathonConfig.builder(URLS).basicAuth("lb", "hunter2").build().toString()).doesNotContain("hunter2");
        assertThat(MarathonConfig.builder(URLS).token("eyJsecret", MarathonConfig.TokenScheme.BEARER).build()
                .toString()).doesNotContain("eyJsecret");
    }

    @Test
    void credentialsInAUrlAreBasicAuthAndLeaveTheUrl() {
        MarathonConfig config = MarathonConfig.builder(List.of(URI.create("http://lb:s3%40cret@m1:8080/"),
                URI.create("http://m2:8080"))).build();

        assertThat(config.urls()).containsExactly(URI.create("http://m1:8080"), URI.create("http://m2:8080"));
        assertThat(config.username()).isEqualTo("lb");
        assertThat(config.password()).isEqualTo("s3@cret");
        assertThat(config.toString()).doesNotContain("s3").contains("basic-auth");
        assertThat(MarathonConfig.builder(List.of(URI.create("http://lb:s3cret@m1:8080"))).basicAuth("lb", "s3cret")
                .build().password()).isEqualTo("s3cret");
    }

    @Test
    void credentialsInAUrlThatDisagreeWithTheOthersAreRefusedUnnamed() {
        List<URI> withSecret = List.of(URI.create("http://lb:s3cret@m1:8080"));
        assertThatThrownBy(() -> MarathonConfig.builder(withSecret).basicAuth("lb", "other").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differ")
                .hasMessageNotContaining("s3cret").hasMessageNotContaining("other");
        assertThatThrownBy(() -> MarathonConfig.builder(withSecret).token("t0k", MarathonConfig.TokenScheme.DCOS).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> MarathonConfig.builder(List.of(URI.create("ftp://lb:s3cret@m1"))).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ftp://m1")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void rejectsWhatCannotWork() {
        assertThatThrownBy(() -> MarathonConfig.builder(List.of()).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MarathonConfig.builder(List.of(URI.create("ftp://m:21"))).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MarathonConfig.builder(URLS).readIdleTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MarathonConfig.builder(URLS).backoff(Duration.ofSeconds(5), Duration.ofSeconds(1))
                .build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MarathonConfig.builder(URLS).basicAuth("u", "p").token("t",
                MarathonConfig.TokenScheme.DCOS).build()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unreadableTruststoreFailsAtConstructionNotLater(@TempDir Path dir) throws Exception {
        Path garbage = Files.writeString(dir.resolve("trust.p12"), "not a keystore");
        MarathonConfig config = MarathonConfig.builder(URLS).truststore(garbage, "changeit", "PKCS12").build();

        assertThatThrownBy(() -> new MarathonDiscovery(config, new RouteTableHolder(new VhostNaming(null))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trust.p12");
    }
}
