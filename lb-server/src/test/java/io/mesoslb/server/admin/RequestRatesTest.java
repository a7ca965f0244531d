package io.mesoslb.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestRatesTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void rateIsGrowthOverTheWindow() {
        RequestRates rates = new RequestRates(10 * SECOND);
        rates.sample(0, Map.of("/a", new long[] {0, 10, 0, 0, 0}));
        assertThat(rates.rate("/a")).isNaN();

        rates.sample(2 * SECOND, Map.of("/a", new long[] {0, 20, 0, 0, 10}));
        assertThat(rates.rate("/a")).isEqualTo(10.0);
        assertThat(rates.windowSeconds()).isEqualTo(2.0);
        assertThat(rates.rate("/unknown")).isNaN();
    }

    @Test
    void oldSamplesLeaveTheWindow() {
        RequestRates rates = new RequestRates(10 * SECOND);
        for (int s = 0; s <= 20; s++) {
            rates.sample(s * SECOND, Map.of("/a", new long[] {0, s * (s < 15 ? 1L : 3L), 0, 0, 0}));
        }
        // Samples from t=10 s to t=20 s remain: (60 - 10) requests over 10 s.
        assertThat(rates.windowSeconds()).isEqualTo(10.0);
        assertThat(rates.rate("/a")).isEqualTo(5.0);
    }

    @Test
    void anAppThatAppearedRecentlyIsMeasuredFromItsFirstSample() {
        RequestRates rates = new RequestRates(10 * SECOND);
        rates.sample(0, Map.of());
        rates.sample(SECOND, Map.of("/new", new long[] {0, 4, 0, 0, 0}));
        assertThat(rates.rate("/new")).isNaN();
        rates.sample(3 * SECOND, Map.of("/new", new long[] {0, 8, 0, 0, 0}));
        assertThat(rates.rate("/new")).isEqualTo(2.0);
    }

    @Test
    void countsThatWentBackwardsGiveZeroNotANegativeRate() {
        RequestRates rates = new RequestRates(10 * SECOND);
        rates.sample(0, Map.of("/a", new long[] {0, 100, 0, 0, 0}));
        rates.sample(SECOND, Map.of("/a", new long[] {0, 3, 0, 0, 0}));
        assertThat(rates.rate("/a")).isZero();
    }
}
