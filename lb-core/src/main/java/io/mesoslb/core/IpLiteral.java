package io.mesoslb.core;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP address text to addresses and bytes, never touching DNS: configuration, labels and
 * client-supplied headers must not be able to make the proxy resolve names.
 */
public final class IpLiteral {
    private IpLiteral() {
    }

    /** An IPv4 dotted quad, or hex digits, colons and dots with a colon (IPv6, perhaps bracketed); no allocation. */
    public static boolean is(String host) {
        if (ipv4(host) >= 0) {
            return true;
        }
        if (host.indexOf(':') < 0) {
            return false;
        }
        int from = 0;
        int to = host.length();
        if (to > 2 && host.charAt(0) == '[' && host.charAt(to - 1) == ']') {
            from = 1;
            to--;
        }
        for (int i = from; i < to; i++) {
            char c = host.charAt(i);
            if (c != ':' && c != '.' && Character.digit(c, 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** A dotted quad as its 32 bits, or -1: no allocation, as this runs for every backend of every publish. */
    private static long ipv4(String host) {
        long bits = 0;
        int parts = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= host.length(); i++) {
            char c = i < host.length() ? host.charAt(i) : '.';
            if (c >= '0' && c <= '9') {
                value = value * 10 + (c - '0');
                if (++digits > 3 || value > 255) {
                    return -1;
                }
            } else if (c == '.' && digits > 0 && parts < 4) {
                bits = bits << 8 | value;
                parts++;
                value = 0;
                digits = 0;
            } else {
                return -1;
            }
        }
        return parts == 4 ? bits : -1;
    }

    public static InetAddress address(String host) {
        try {
            if (!is(host)) {
                return null;
            }
            long v4 = ipv4(host);
            if (v4 >= 0) {
                return InetAddress.getByAddress(new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4});
            }
            // Hex digits and colons (is() vouched): getByName parses an IPv6 literal or throws,
            // and looks nothing up.
            return InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * The address bytes of an IPv4 or IPv6 literal (IPv6 may be bracketed), with IPv4-mapped IPv6
     * addresses folded to their 4 IPv4 bytes so that both spellings of a client match the same rules.
     *
     * @return 4 or 16 bytes, or null when the text is not an IP literal
     */
    public static byte[] parse(String text) {
        if (text == null || text.isEmpty() || text.indexOf('%') >= 0) {
            return null;
        }
        InetAddress a = address(text);
        return a == null ? null : fold(a.getAddress());
    }

    /** The address bytes of {@code address}, IPv4-mapped IPv6 folded to IPv4. */
    public static byte[] bytes(InetAddress address) {
        return fold(address.getAddress());
    }

    public static InetAddress toInetAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not 4 or 16 address bytes", e);
        }
    }

    private static byte[] fold(byte[] b) {
        if (b == null || b.length != 16) {
            return b;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return b;
            }
        }
        if (b[10] != (byte) 0xff || b[11] != (byte) 0xff) {
            return b;
        }
        return new byte[] {b[12], b[13], b[14], b[15]};
    }
}
