package io.mesoslb.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OutlierPolicyTest {
    @Test
    void defaultsAreDocumentedOnes() {
        OutlierPolicy p = OutlierPolicy.DEFAULT;
        assertThat(p.consecutiveFailures()).isEqualTo(5);
        assertThat(p.consecutive5xx()).isZero();
        assertThat(p.baseEjectionTime()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.maxEjectionTime()).isEqualTo(Duration.ofSeconds(300));
        assertThat(p.maxEjectionPercent()).isEqualTo(50);
        assertThat(p.decayInterval()).isEqualTo(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "1, 0", "2, 1", "3, 1", "4, 2", "5, 2", "10, 5", "11, 5"})
    void atMostHalfAndAtLeastOneOfTwoOrMore(int backends, int maxEjected) {
        assertThat(OutlierPolicy.DEFAULT.maxEjected(backends)).isEqualTo(maxEjected);
    }

    @Test
    void smallPercentStillAllowsOneAndZeroDisables() {
        assertThat(OutlierPolicy.DEFAULT.withMaxEjectionPercent(10).maxEjected(3)).isEqualTo(1);
        assertThat(OutlierPolicy.DEFAULT.withMaxEjectionPercent(10).maxEjected(30)).isEqualTo(3);
        assertThat(OutlierPolicy.DEFAULT.withMaxEjectionPercent(100).maxEjected(4)).isEqualTo(4);
        assertThat(OutlierPolicy.DEFAULT.withMaxEjectionPercent(0).maxEjected(10)).isZero();
    }

    @ParameterizedTest
    @CsvSource({"1, 30", "2, 60", "9, 270", "10, 300", "11, 300", "2147483647, 300"})
    void ejectionTimeGrowsWithTheRunAndIsCapped(int ejections, int seconds) {
        assertThat(OutlierPolicy.DEFAULT.ejectionTime(ejections)).isEqualTo(Duration.ofSeconds(seconds));
    }

    @Test
    void capIsExactWhenMaxIsNotAMultipleOfBase() {
        OutlierPolicy p = OutlierPolicy.DEFAULT.withEjectionTime(Duration.ofSeconds(40), Duration.ofSeconds(300));
        assertThat(p.ejectionTime(7)).isEqualTo(Duration.ofSeconds(280));
        assertThat(p.ejectionTime(8)).isEqualTo(Duration.ofSeconds(300));
        assertThat(p.maxMultiplier()).isEqualTo(8);
    }

    @Test
    void rejectsNonsense() {
        OutlierPolicy p = OutlierPolicy.DEFAULT;
        assertThatThrownBy(() -> p.withConsecutiveFailures(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.withConsecutive5xx(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.withMaxEjectionPercent(101)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.withEjectionTime(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.withEjectionTime(Duration.ofSeconds(30), Duration.ofSeconds(10))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.withDecayInterval(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"502, GATEWAY_ERROR", "503, GATEWAY_ERROR", "504, GATEWAY_ERROR", "500, SERVER_ERROR_5XX",
            "501, SERVER_ERROR_5XX", "599, SERVER_ERROR_5XX", "200, ", "404, ", "499, ", "600, "})
    void statusMapsToFailureKind(int status, FailureKind kind) {
        assertThat(FailureKind.ofStatus(status)).isEqualTo(kind);
    }
}
