package io.mesoslb.server.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Removes the headers that describe one connection rather than the message (RFC 9110 7.6.1), so
 * that they do not leak from the client's connection to the backend's or back.
 * Transfer-Encoding stays: the codecs on each side frame the body by it.
 */
final class HopByHopHeaders {
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString[] ALWAYS = {
        HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.TE, HttpHeaderNames.TRAILER, PROXY_CONNECTION,
    };

    private HopByHopHeaders() {
    }

    /**
     * Strips the hop-by-hop headers, and those that {@code Connection} names.
     *
     * @param tunnelling true to keep {@code Upgrade} and leave {@code Connection: upgrade}, which the
     *                   backend needs to switch protocols
     */
    static void strip(HttpHeaders headers, boolean tunnelling) {
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            List<String> values = headers.getAll(HttpHeaderNames.CONNECTION);
            for (int i = 0; i < values.size(); i++) {
                removeNamed(headers, values.get(i), tunnelling);
            }
            headers.remove(HttpHeaderNames.CONNECTION);
        }
        for (AsciiString name : ALWAYS) {
            headers.remove(name);
        }
        if (tunnelling) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        } else {
            headers.remove(HttpHeaderNames.UPGRADE);
        }
    }

    /** Removes each comma-separated token of a Connection value, allocating only for uncommon tokens. */
    private static void removeNamed(HttpHeaders headers, String value, boolean tunnelling) {
        int len = value.length();
        int i = 0;
        while (i < len) {
            int start = i;
            while (i < len && value.charAt(i) != ',') {
                i++;
            }
            int end = i;
            i++;
            while (start < end && isSpace(value.charAt(start))) {
                start++;
            }
            while (end > start && isSpace(value.charAt(end - 1))) {
                end--;
            }
            if (start == end || matches(value, start, end, HttpHeaderValues.CLOSE)
                    || matches(value, start, end, HttpHeaderValues.KEEP_ALIVE)) {
                continue;
            }
            if (matches(value, start, end, HttpHeaderValues.UPGRADE)) {
                if (!tunnelling) {
                    headers.remove(HttpHeaderNames.UPGRADE);
                }
                continue;
            }
            headers.remove(value.substring(start, end));
        }
    }

    private static boolean matches(String value, int start, int end, AsciiString token) {
        return end - start == token.length() && token.regionMatches(true, 0, value, start, end - start);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }
}
