package io.mesoslb.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BackendTest {
    @Test
    void addressBracketsIpv6HostsOnce() {
        assertThat(new Backend("10.0.0.1", 80, "t", "/a").address()).isEqualTo("10.0.0.1:80");
        assertThat(new Backend("2001:db8::1", 80, "t", "/a").address()).isEqualTo("[2001:db8::1]:80");
        assertThat(new Backend("[2001:db8::1]", 80, "t", "/a").address()).isEqualTo("[2001:db8::1]:80");
    }

    @Test
    void equalityCoversEveryField() {
        Backend b = new Backend("h", 1, "t", "/a");
        assertThat(b).isEqualTo(new Backend("h", 1, "t", "/a")).hasSameHashCodeAs(new Backend("h", 1, "t", "/a"));
        assertThat(b).isNotEqualTo(new Backend("h2", 1, "t", "/a"))
                .isNotEqualTo(new Backend("h", 2, "t", "/a"))
                .isNotEqualTo(new Backend("h", 1, "t2", "/a"))
                .isNotEqualTo(new Backend("h", 1, "t", "/b"));
    }

    @Test
    void rejectsPortsOutOfRange() {
        assertThatThrownBy(() -> new Backend("h", 0, "t", "/a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backend("h", 65_536, "t", "/a")).isInstanceOf(IllegalArgumentException.class);
    }
}
