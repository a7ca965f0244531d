package io.mesoslb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesoslb.core.OutlierPolicy;
import io.mesoslb.server.config.ConfigException;
import io.mesoslb.server.config.ConfigLoader;
import io.mesoslb.server.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The passive health, timeout and limit settings: defaults, file and flags, validation, help. */
class ResilienceConfigTest {
    private static final List<String> KEYS = List.of("outlier-consecutive-failures", "outlier-consecutive-5xx",
            "outlier-base-ejection-time", "outlier-max-ejection-time", "outlier-max-ejection-percent",
            "request-header-timeout", "request-timeout", "max-request-body");

    @TempDir
    Path dir;

    private static ServerConfig load(String... args) {
        return ConfigLoader.load(args);
    }

    @Test
    void defaultsAreEnvoyLikeAndLimitsOff() {
        ServerConfig c = load();
        assertThat(c.outlier()).isEqualTo(OutlierPolicy.DEFAULT);
        assertThat(c.outlier().consecutiveFailures()).isEqualTo(5);
        assertThat(c.outlier().baseEjectionTime()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.outlier().maxEjectionTime()).isEqualTo(Duration.ofSeconds(300));
        assertThat(c.proxy().requestHeaderTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.proxy().requestTimeout()).isZero();
        assertThat(c.proxy().maxRequestBody()).isZero();
    }

    @Test
    void fileSetsThemAndFlagsOverride() throws Exception {
        Path file = dir.resolve("lb.yaml");
        Files.writeString(file, String.join("\n",
                "outlier-consecutive-failures: 3",
                "outlier-consecutive-5xx: 7",
                "outlier-base-ejection-time: 10s",
                "outlier-max-ejection-time: 2m",
                "outlier-max-ejection-percent: 34",
                "request-header-timeout: 5s",
                "request-timeout: 1m",
                "max-request-body: 1048576",
                ""));
        ServerConfig c = load("--config", file.toString(), "--outlier-consecutive-failures=0", "--max-request-body", "0");
        assertThat(c.outlier()).isEqualTo(new OutlierPolicy(0, 7, Duration.ofSeconds(10), Duration.ofMinutes(2), 34,
                OutlierPolicy.DEFAULT.decayInterval()));
        assertThat(c.proxy().requestHeaderTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.proxy().requestTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.proxy().maxRequestBody()).isZero();
    }

    @Test
    void invalidValuesAreAllReported() {
        assertThatThrownBy(() -> load("--outlier-consecutive-failures=-1", "--outlier-max-ejection-percent=101",
                "--outlier-base-ejection-time=0s", "--request-timeout=-", "--max-request-body=-5"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("outlier-consecutive-failures")
                .hasMessageContaining("outlier-max-ejection-percent")
                .hasMessageContaining("outlier-base-ejection-time")
                .hasMessageContaining("request-timeout")
                .hasMessageContaining("max-request-body");
        assertThatThrownBy(() -> load("--outlier-base-ejection-time=1m", "--outlier-max-ejection-time=30s"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("outlier-max-ejection-time (30s) must not be shorter than outlier-base-ejection-time (1m)");
    }

    @Test
    void helpListsEveryKey() {
        for (String key : KEYS) {
            assertThat(ConfigLoader.usage()).containsPattern("--" + key + "[=\\[]");
        }
    }
}
