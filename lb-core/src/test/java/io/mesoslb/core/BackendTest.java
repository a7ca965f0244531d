package io.mesoslb.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class BackendTest {
    @Test
    void addressBracketsIpv6HostsOnce() {
        assertThat(new Backend("10.0.0.1", 80, "t", "/a").address()).isEqualTo("10.0.0.1:80");
        assertThat(new Backend("2001:db8::1", 80, "t", "/a").address()).isEqualTo("[2001:db8::1]:80");
        assertThat(new Backend("[2001:db8::1]", 80, "t", "/a").address()).isEqualTo("[2001:db8::1]:80");
    }

    @Test
    void equalityCoversEveryField() throws Exception {
        Backend b = new Backend("h", 1, "t", "/a");
        assertThat(b).isEqualTo(new Backend("h", 1, "t", "/a")).hasSameHashCodeAs(new Backend("h", 1, "t", "/a"));
        assertThat(b).isNotEqualTo(new Backend("h2", 1, "t", "/a"))
                .isNotEqualTo(new Backend("h", 2, "t", "/a"))
                .isNotEqualTo(new Backend("h", 1, "t2", "/a"))
                .isNotEqualTo(new Backend("h", 1, "t", "/b"))
                .isNotEqualTo(b.withIp(InetAddress.getLoopbackAddress()));
        assertThat(b.withIp(InetAddress.getLoopbackAddress())).isEqualTo(new Backend("h", 1, "t", "/a")
                .withIp(InetAddress.getLoopbackAddress()));
    }

    @Test
    void anIpLiteralIsItsOwnAddressAndANameIsLeftUnresolved() throws Exception {
        assertThat(new Backend("10.0.0.1", 80, "t", "/a").ip()).isEqualTo(InetAddress.getByAddress(new byte[] {10, 0, 0, 1}));
        assertThat(new Backend("2001:db8::1", 80, "t", "/a").ip()).isEqualTo(InetAddress.getByName("2001:db8::1"));
        assertThat(new Backend("[::1]", 80, "t", "/a").ip()).isEqualTo(InetAddress.getByName("::1"));
        // Even a name every resolver knows: the proxy's loops must never be the ones to look it up.
        assertThat(new Backend("localhost", 80, "t", "/a").ip()).isNull();
        assertThat(new Backend("agent-7.example.com", 80, "t", "/a").ip()).isNull();
        // Look like numbers, but are not addresses: no lookup either.
        for (String notAnIp : new String[] {"999.1.1.1", "1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.", "cafe", "g::1", "[]"}) {
            Backend b = new Backend(notAnIp, 80, "t", "/a");
            assertThat(b.hasIpLiteral()).as(notAnIp).isFalse();
            assertThat(b.ip()).as(notAnIp).isNull();
        }
        assertThat(new Backend("10.0.0.1", 80, "t", "/a").hasIpLiteral()).isTrue();
        assertThat(new Backend("fe80::1", 80, "t", "/a").hasIpLiteral()).isTrue();
    }

    @Test
    void rejectsPortsOutOfRange() {
        assertThatThrownBy(() -> new Backend("h", 0, "t", "/a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backend("h", 65_536, "t", "/a")).isInstanceOf(IllegalArgumentException.class);
    }
}
