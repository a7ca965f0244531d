package io.mesoslb.server.net;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP address text to bytes and back, never touching DNS: configuration and client-supplied
 * headers must not be able to make the proxy resolve names.
 */
final class IpLiteral {
    private IpLiteral() {
    }

    /**
     * The address bytes of an IPv4 or IPv6 literal (IPv6 may be bracketed), with IPv4-mapped IPv6
     * addresses folded to their 4 IPv4 bytes so that both spellings of a client match the same rules.
     *
     * @return 4 or 16 bytes, or null when the text is not an IP literal
     */
    static byte[] parse(String text) {
        if (text == null || text.isEmpty() || text.indexOf('%') >= 0) {
            return null;
        }
        return fold(NetUtil.createByteArrayFromIpAddressString(text));
    }

    /** The address bytes of {@code address}, IPv4-mapped IPv6 folded to IPv4. */
    static byte[] bytes(InetAddress address) {
        return fold(address.getAddress());
    }

    static InetAddress toInetAddress(byte[] bytes) {
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
