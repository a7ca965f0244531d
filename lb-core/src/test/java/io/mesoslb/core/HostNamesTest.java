package io.mesoslb.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostNamesTest {

    @ParameterizedTest
    @CsvSource({
            "www.example.com, www.example.com",
            "WWW.Example.COM, www.example.com",
            "www.example.com:8080, www.example.com",
            "WWW.EXAMPLE.COM:80, www.example.com",
            "www.example.com., www.example.com",
            "www.example.com.:443, www.example.com",
            "my_app.example.com, my_app.example.com",
            "localhost, localhost",
            "10.0.0.1:31000, 10.0.0.1",
            "www.example.com:, www.example.com",
    })
    void canonicalisesAsciiHosts(String raw, String expected) {
        assertThat(HostNames.normalize(raw)).isEqualTo(expected);
    }

    @Test
    void ipv6LiteralKeepsBracketsAndIsLowerCased() {
        assertThat(HostNames.normalize("[2001:DB8::1]")).isEqualTo("[2001:db8::1]");
        assertThat(HostNames.normalize("[2001:DB8::1]:8080")).isEqualTo("[2001:db8::1]");
        assertThat(HostNames.normalize("[::ffff:10.0.0.1]")).isEqualTo("[::ffff:10.0.0.1]");
        assertThat(HostNames.normalize("[::1]:")).isEqualTo("[::1]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[", "[::1", "[::1]x", "[::1]:x", "[]", "[x]", "[::1 ]", "[g::1]", "[1.2.3.4]"})
    void rejectsMalformedIpv6Literals(String raw) {
        assertThat(HostNames.normalize(raw)).isNull();
    }

    @Test
    void internationalisedNamesBecomePunycode() {
        assertThat(HostNames.normalize("bücher.example")).isEqualTo("xn--bcher-kva.example");
        assertThat(HostNames.normalize("BÜCHER.Example:8080")).isEqualTo("xn--bcher-kva.example");
        assertThat(HostNames.normalize("bücher.example.")).isEqualTo("xn--bcher-kva.example");
        assertThat(HostNames.normalize("xn--bcher-kva.example")).isEqualTo("xn--bcher-kva.example");
    }

    @Test
    void idnSeparatorsAndFullwidthFormsCannotSmuggleInvalidCharacters() {
        // U+FF0F (fullwidth solidus) maps to '/' under IDN nameprep.
        assertThat(HostNames.normalize("bücher\uFF0Fexample")).isNull();
        // U+3002 (ideographic full stop) is a label separator; as the last character it is a trailing dot.
        assertThat(HostNames.normalize("bücher.example\u3002")).isEqualTo("xn--bcher-kva.example");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", ":80", "www example.com", "www.example.com/path", "user@www.example.com",
            "www.example.com:80:80", "*.example.com", "www.example.com:8o", "www.example.com:-1",
            "www.example.com:99999", "www.example.com:123456", "a..b", ".example.com", "example.com..",
            "\tfoo", "ex%41mple.com"})
    void rejectsInvalidHosts(String raw) {
        assertThat(HostNames.normalize(raw)).isNull();
    }

    @Test
    void nullIsNotAHost() {
        assertThat(HostNames.normalize(null)).isNull();
    }

    @Test
    void acceptsAnyCharSequence() {
        assertThat(HostNames.normalize(new StringBuilder("API.example.com:1"))).isEqualTo("api.example.com");
    }

    @ParameterizedTest
    @CsvSource({"example.com, 11", "example.com:80, 11", "[::1]:80, 5", "[::1], 5", "example.com:65535, 11"})
    void hostEndStopsBeforeThePort(String raw, int end) {
        assertThat(HostNames.hostEnd(raw)).isEqualTo(end);
    }
}
