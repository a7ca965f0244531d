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
        if (end < 0) {
            return null;
        }
        int start = 0;
        if (end > 0 && raw.charAt(0) == '[') {
            // IPv6 literal: keep the brackets, lower-case the hex digits.
            return raw.subSequence(0, end).toString().toLowerCase(Locale.ROOT);
        }
        if (end > start && raw.charAt(end - 1) == '.') {
            end--;
        }
        if (end <= start) {
            return null;
        }
        boolean ascii = true;
        for (int i = start; i < end; i++) {
            char c = raw.charAt(i);
            if (c >= 0x80) {
                ascii = false;
            } else if (!isHostChar(c)) {
                return null;
            }
        }
        String host = raw.subSequence(start, end).toString();
        if (!ascii) {
            try {
                host = IDN.toASCII(host, IDN.ALLOW_UNASSIGNED);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return host.toLowerCase(Locale.ROOT);
    }

    /**
     * Length of the host part of a {@code Host} header value: everything before a {@code :port}
     * suffix (or up to and including the closing bracket of an IPv6 literal).
     *
     * @return the end index, or -1 when the port part or the brackets are malformed
     */
    static int hostEnd(CharSequence raw) {
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
        for (int i = portStart; i < len; i++) {
            char c = raw.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        return end;
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
