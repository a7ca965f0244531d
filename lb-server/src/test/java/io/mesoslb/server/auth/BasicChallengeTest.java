package io.mesoslb.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BasicChallengeTest {

    @Test
    void quotesTheRealm() {
        assertThat(BasicChallenge.headerValue("Team API")).isEqualTo("Basic realm=\"Team API\", charset=\"UTF-8\"");
    }

    @Test
    void escapesQuotesAndBackslashes() {
        assertThat(BasicChallenge.headerValue("say \"hi\" \\o/"))
                .isEqualTo("Basic realm=\"say \\\"hi\\\" \\\\o/\", charset=\"UTF-8\"");
    }

    @Test
    void dropsControlCharactersThatWouldSplitTheHeader() {
        assertThat(BasicChallenge.headerValue("a\r\nSet-Cookie: x=1\u007f\tb"))
                .isEqualTo("Basic realm=\"aSet-Cookie: x=1b\", charset=\"UTF-8\"");
    }

    @Test
    void anEmptyRealmIsStillAChallenge() {
        assertThat(BasicChallenge.headerValue("")).isEqualTo("Basic realm=\"\", charset=\"UTF-8\"");
    }
}
