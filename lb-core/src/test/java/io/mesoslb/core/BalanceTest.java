package io.mesoslb.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BalanceTest {
    @Test
    void haproxyWordsAndEnvoysName() {
        assertThat(Balance.parse("roundrobin")).isEqualTo(Balance.ROUND_ROBIN);
        assertThat(Balance.parse("leastconn")).isEqualTo(Balance.LEAST_CONN);
        assertThat(Balance.parse("source")).isEqualTo(Balance.SOURCE);
        assertThat(Balance.parse("least-request")).isEqualTo(Balance.LEAST_REQUEST);
        assertThat(Balance.parse("least_request")).isEqualTo(Balance.LEAST_REQUEST);
    }

    @Test
    void staticRoundRobinAndFirstReadAsRoundRobin() {
        assertThat(Balance.parse("static-rr")).isEqualTo(Balance.ROUND_ROBIN);
        assertThat(Balance.parse("first")).isEqualTo(Balance.ROUND_ROBIN);
    }

    @Test
    void caseAndSurroundingSpaceDoNotMatter() {
        assertThat(Balance.parse(" LeastConn\t")).isEqualTo(Balance.LEAST_CONN);
    }

    @Test
    void unknownWordsAndArgumentsAreNullForTheCallerToWarn() {
        assertThat(Balance.parse("uri")).isNull();
        assertThat(Balance.parse("hdr(host)")).isNull();
        assertThat(Balance.parse("source extra")).isNull();
        assertThat(Balance.parse("")).isNull();
        assertThat(Balance.parse(null)).isNull();
    }
}
