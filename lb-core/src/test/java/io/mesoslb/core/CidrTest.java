package io.mesoslb.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrTest {
    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void ipv4NetworksMatchTheirAddressesOnly() throws Exception {
        Cidr ten = Cidr.parse("10.0.0.0/8");
        assertThat(ten.contains(ip("10.255.1.2"))).isTrue();
        assertThat(ten.contains(ip("11.0.0.1"))).isFalse();

        Cidr odd = Cidr.parse("192.168.1.128/25");
        assertThat(odd.contains(ip("192.168.1.200"))).isTrue();
        assertThat(odd.contains(ip("192.168.1.127"))).isFalse();

        Cidr odd2 = Cidr.parse("172.16.0.0/12");
        assertThat(odd2.contains(ip("172.31.255.255"))).isTrue();
        assertThat(odd2.contains(ip("172.32.0.0"))).isFalse();
    }

    @Test
    void singleAddressIsANetworkOfOne() throws Exception {
        Cidr one = Cidr.parse(" 192.0.2.1 ");
        assertThat(one.prefixLength()).isEqualTo(32);
        assertThat(one.contains(ip("192.0.2.1"))).isTrue();
        assertThat(one.contains(ip("192.0.2.2"))).isFalse();

        Cidr v6 = Cidr.parse("::1");
        assertThat(v6.prefixLength()).isEqualTo(128);
        assertThat(v6.contains(ip("::1"))).isTrue();
        assertThat(v6.contains(ip("::2"))).isFalse();
    }

    @Test
    void ipv6Networks() throws Exception {
        Cidr doc = Cidr.parse("2001:db8::/32");
        assertThat(doc.contains(ip("2001:db8:ffff::1"))).isTrue();
        assertThat(doc.contains(ip("2001:db9::1"))).isFalse();
        assertThat(doc.contains(ip("10.0.0.1"))).isFalse();

        Cidr nibble = Cidr.parse("[fd00::]/7");
        assertThat(nibble.contains(ip("fdff::1"))).isTrue();
        assertThat(nibble.contains(ip("fe00::1"))).isFalse();
    }

    @Test
    void ipv4MappedAddressesMatchIpv4Rules() throws Exception {
        Cidr ten = Cidr.parse("10.0.0.0/8");
        InetAddress mapped = java.net.Inet6Address.getByAddress(null,
                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3}, null);
        assertThat(ten.contains(mapped)).isTrue();
        assertThat(Cidr.parse("::ffff:10.0.0.0/104")).isEqualTo(ten);
    }

    @Test
    void hostBitsAreIgnoredAndZeroPrefixMatchesAllOfAFamily() throws Exception {
        assertThat(Cidr.parse("10.1.2.3/8")).hasToString("10.0.0.0/8").isEqualTo(Cidr.parse("10.0.0.0/8"));
        Cidr all4 = Cidr.parse("0.0.0.0/0");
        assertThat(all4.contains(ip("203.0.113.9"))).isTrue();
        assertThat(all4.contains(ip("2001:db8::1"))).isFalse();
        assertThat(Cidr.parse("::/0").contains(ip("2001:db8::1"))).isTrue();
    }

    @Test
    void rejectsWhatIsNotANetworkWithoutResolvingNames() {
        assertThatThrownBy(() -> Cidr.parse("localhost")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("2001:db8::/129")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("10.0.0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("fe80::1%eth0")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listMatchesAnyMember() throws Exception {
        CidrList list = CidrList.parse("10.0.0.0/8, 192.168.1.7  2001:db8::/48");
        assertThat(list.cidrs()).hasSize(3);
        assertThat(list.contains(ip("10.9.9.9"))).isTrue();
        assertThat(list.contains(ip("192.168.1.7"))).isTrue();
        assertThat(list.contains(ip("192.168.1.8"))).isFalse();
        assertThat(list.contains(ip("2001:db8:0:ffff::1"))).isTrue();
        assertThat(list.contains(ip("2001:db8:1::1"))).isFalse();
        assertThat(CidrList.parse(" ").isEmpty()).isTrue();
        assertThat(CidrList.EMPTY.contains(ip("10.0.0.1"))).isFalse();
        assertThatThrownBy(() -> CidrList.parse("10.0.0.0/8, nope")).hasMessageContaining("nope");
    }
}
