package io.mesoslb.core;

import java.net.IDN;
import java.util.Locale;

/**
 * Canonical form of a host name as the routing table keys it: lower case, no port, no trailing
 * dot, and internationalised names in their ASCII (punycode) form so that {@code bücher.example}
 * and {@code xn--bcher-kva.example} meet at the same route.
 */
public final class HostNames {
    private HostNames() {
    }

    /**
     * Normalises a {@code Host} header value or a configured vhost.
     *
     * @return the canonical host, or {@code null} when the value is not a valid host
     */
    public static String normalize(CharSequence raw) {
        if (raw == null) {
            return null;
        }
        int end = hostEnd(raw);
        if (end <= 0) {
            return null;
        }
        if (raw.charAt(0) == '[') {
            return isIpv6Literal(raw, end) ? raw.subSequence(0, end).toString().toLowerCase(Locale.ROOT) : null;
        }
        String host = raw.subSequence(0, end).toString();
        if (!isAscii(host)) {
            try {
                host = IDN.toASCII(host, IDN.ALLOW_UNASSIGNED);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        // Validated after IDN conversion too: nameprep maps some non-ASCII characters (fullwidth
        // '/', ideographic full stop) onto ASCII ones that must not reach the table.
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return isDnsName(host) ? host.toLowerCase(Locale.ROOT) : null;
    }

    private static boolean isAscii(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Host characters only, and no empty label ({@code a..b}, {@code .a}, {@code a.}). */
    private static boolean isDnsName(String s) {
        int n = s.length();
        if (n == 0 || s.charAt(0) == '.' || s.charAt(n - 1) == '.') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!isHostChar(c) || (c == '.' && s.charAt(i - 1) == '.')) {
                return false;
            }
        }
        return true;
    }

    /** {@code [hex:hex::d.d.d.d]}: enough to keep garbage out of the table, not a full RFC 4291 parser. */
    private static boolean isIpv6Literal(CharSequence raw, int end) {
        boolean colon = false;
        for (int i = 1; i < end - 1; i++) {
            char c = raw.charAt(i);
            if (c == ':') {
                colon = true;
            } else if (!(c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return colon;
    }

    /**
     * Length of the host part of a {@code Host} header value: everything before a {@code :port}
     * suffix (or up to and including the closing bracket of an IPv6 literal).
     *
     * @return the end index, or -1 when the port part or the brackets are malformed or the port is
     *     out of range
     */
    public static int hostEnd(CharSequence raw) {
        int len = raw.length();
        if (len == 0) {
            return -1;
        }
        int end;
        int portStart;
        if (raw.charAt(0) == '[') {
            int close = indexOf(raw, ']');
            if (close < 0) {
                return -1;
            }
            end = close + 1;
            if (end == len) {
                return end;
            }
            if (raw.charAt(end) != ':') {
                return -1;
            }
            portStart = end + 1;
        } else {
            int colon = indexOf(raw, ':');
            if (colon < 0) {
                return len;
            }
            end = colon;
            portStart = colon + 1;
        }
        // An empty port is allowed (RFC 3986 port = *DIGIT); anything else must be a valid port.
        if (len - portStart > 5) {
            return -1;
        }
        int port = 0;
        for (int i = portStart; i < len; i++) {
            char c = raw.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            port = port * 10 + (c - '0');
        }
        return port > 65_535 ? -1 : end;
    }

    private static int indexOf(CharSequence s, char c) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /** Letters, digits, hyphen, dot and underscore: what DNS names in the wild actually use. */
    static boolean isHostChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_';
    }
}
