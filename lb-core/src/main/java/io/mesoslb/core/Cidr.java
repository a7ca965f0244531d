package io.mesoslb.core;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * One IPv4 or IPv6 network, {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a bare address is a
 * network of one. Host bits set in the text are ignored ({@code 10.1.2.3/8} is {@code 10.0.0.0/8}),
 * as most firewalls and proxies do.
 */
public final class Cidr {
    private final byte[] network;
    private final int prefix;
    private final String text;

    private Cidr(byte[] network, int prefix) {
        this.prefix = prefix;
        this.network = network;
        for (int i = 0; i < network.length; i++) {
            network[i] &= maskByte(i);
        }
        this.text = IpLiteral.toInetAddress(network).getHostAddress() + "/" + prefix;
    }

    /**
     * @throws IllegalArgumentException when {@code text} is not an address or address/prefix
     */
    public static Cidr parse(String text) {
        String t = text.strip();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        byte[] bytes = IpLiteral.parse(addr);
        if (bytes == null) {
            throw new IllegalArgumentException("not an IP address or CIDR: '" + text + "'");
        }
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in '" + text + "'", e);
            }
            // An IPv4-mapped IPv6 network was folded to IPv4 bytes, so its prefix shrinks by 96 too.
            if (bytes.length == 4 && addr.indexOf(':') >= 0) {
                prefix -= 96;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("prefix length out of range in '" + text + "'");
            }
        }
        return new Cidr(bytes, prefix);
    }

    public boolean isIpv4() {
        return network.length == 4;
    }

    public int prefixLength() {
        return prefix;
    }

    public boolean contains(InetAddress address) {
        return contains(IpLiteral.bytes(address));
    }

    /** {@code address} as 4 or 16 bytes, IPv4-mapped already folded to 4. */
    public boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int full = prefix >>> 3;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        return full == network.length || (address[full] & maskByte(full)) == network[full];
    }

    private byte maskByte(int index) {
        int bitsBefore = index * 8;
        if (prefix >= bitsBefore + 8) {
            return (byte) 0xff;
        }
        if (prefix <= bitsBefore) {
            return 0;
        }
        return (byte) (0xff << (8 - (prefix - bitsBefore)));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && prefix == c.prefix && Arrays.equals(network, c.network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    /** Canonical form, e.g. {@code 10.0.0.0/8}. */
    @Override
    public String toString() {
        return text;
    }
}
