package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final Duration BASE = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofSeconds(3);

    @Test
    void doublesPerFailureUpToTheCap() {
        Backoff upper = new Backoff(BASE, MAX, () -> 1.0);

        assertThat(upper.delay(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(upper.delay(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(upper.delay(5)).isEqualTo(Duration.ofMillis(1600));
        assertThat(upper.delay(6)).isEqualTo(MAX);
        assertThat(upper.delay(1_000)).isEqualTo(MAX);
    }

    @Test
    void jitterSpreadsBetweenHalfAndAllOfTheNominalDelay() {
        assertThat(new Backoff(BASE, MAX, () -> 0.0).delay(3)).isEqualTo(Duration.ofMillis(200));
        assertThat(new Backoff(BASE, MAX, () -> 0.5).delay(3)).isEqualTo(Duration.ofMillis(300));
        assertThat(new Backoff(BASE, MAX, () -> 0.0).delay(100)).isEqualTo(MAX.dividedBy(2));
    }
}
