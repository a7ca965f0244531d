package io.mesoslb.server.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.List;

/**
 * Removes the headers that describe one connection rather than the message (RFC 9110 7.6.1), so
 * that they do not leak from the client's connection to the backend's or back.
 * Transfer-Encoding stays: the codecs on each side frame the body by it.
 *
 * <p>{@code Connection} is read once per message, by {@link #connection}, into bits that say what
 * keep-alive, upgrade and stripping need.
 */
final class HopByHopHeaders {
    /** {@code Connection} has {@code close}. */
    static final int CLOSE = 1;
    /** {@code Connection} has {@code keep-alive}. */
    static final int KEEP_ALIVE = 1 << 1;
    /** {@code Connection} has {@code upgrade}. */
    static final int UPGRADE = 1 << 2;
    /** {@code Connection} names other headers, which go with it. */
    static final int NAMES_OTHERS = 1 << 3;
    /** There is a {@code Connection} header. */
    static final int PRESENT = 1 << 4;

    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString[] ALWAYS = {
        HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.TE, HttpHeaderNames.TRAILER, PROXY_CONNECTION,
    };

    private HopByHopHeaders() {
    }

    /** What the {@code Connection} header (or headers) of a message say, as the bits above. */
    static int connection(HttpHeaders headers) {
        if (headers.get(HttpHeaderNames.CONNECTION) == null) {
            return 0;
        }
        int bits = PRESENT;
        Iterator<? extends CharSequence> values = headers.valueCharSequenceIterator(HttpHeaderNames.CONNECTION);
        while (values.hasNext()) {
            bits |= tokens(values.next());
        }
        return bits;
    }

    /** As {@link io.netty.handler.codec.http.HttpUtil#isKeepAlive}, from the bits of {@link #connection}. */
    static boolean isKeepAlive(HttpVersion version, int connection) {
        return (connection & CLOSE) == 0 && (version.isKeepAliveDefault() || (connection & KEEP_ALIVE) != 0);
    }

    /** Strips a message whose {@code Connection} has not been read yet; see {@link #strip(HttpHeaders, int, boolean)}. */
    static void strip(HttpHeaders headers, boolean tunnelling) {
        strip(headers, connection(headers), tunnelling);
    }

    /**
     * Strips the hop-by-hop headers, and those that {@code Connection} names.
     *
     * @param connection what {@link #connection} read from these headers
     * @param tunnelling true to keep {@code Upgrade} and leave {@code Connection: upgrade}, which the
     *                   backend needs to switch protocols
     */
    static void strip(HttpHeaders headers, int connection, boolean tunnelling) {
        if ((connection & NAMES_OTHERS) != 0) {
            // Rare: a list, as removing while iterating over Connection could disturb the iteration.
            List<String> values = headers.getAll(HttpHeaderNames.CONNECTION);
            for (int i = 0; i < values.size(); i++) {
                removeNamed(headers, values.get(i));
            }
        }
        if ((connection & PRESENT) != 0) {
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

    /** The bits of one Connection value, a comma-separated token list, without allocating. */
    private static int tokens(CharSequence value) {
        int bits = 0;
        int len = value.length();
        int i = 0;
        while (i < len) {
            int start = i;
            while (i < len && value.charAt(i) != ',') {
                i++;
            }
            int end = trimEnd(value, start, i);
            start = trimStart(value, start, end);
            i++;
            if (start == end) {
                continue;
            }
            if (matches(value, start, end, HttpHeaderValues.CLOSE)) {
                bits |= CLOSE;
            } else if (matches(value, start, end, HttpHeaderValues.KEEP_ALIVE)) {
                bits |= KEEP_ALIVE;
            } else if (matches(value, start, end, HttpHeaderValues.UPGRADE)) {
                bits |= UPGRADE;
            } else {
                bits |= NAMES_OTHERS;
            }
        }
        return bits;
    }

    /** Removes the headers that a Connection value names, other than the tokens with a meaning of their own. */
    private static void removeNamed(HttpHeaders headers, String value) {
        int len = value.length();
        int i = 0;
        while (i < len) {
            int start = i;
            while (i < len && value.charAt(i) != ',') {
                i++;
            }
            int end = trimEnd(value, start, i);
            start = trimStart(value, start, end);
            i++;
            if (start == end || matches(value, start, end, HttpHeaderValues.CLOSE)
                    || matches(value, start, end, HttpHeaderValues.KEEP_ALIVE)
                    || matches(value, start, end, HttpHeaderValues.UPGRADE)) {
                // Upgrade itself goes (or stays, when tunnelling) with the decision in strip.
                continue;
            }
            headers.remove(value.substring(start, end));
        }
    }

    private static int trimStart(CharSequence value, int start, int end) {
        while (start < end && isSpace(value.charAt(start))) {
            start++;
        }
        return start;
    }

    private static int trimEnd(CharSequence value, int start, int end) {
        while (end > start && isSpace(value.charAt(end - 1))) {
            end--;
        }
        return end;
    }

    private static boolean matches(CharSequence value, int start, int end, AsciiString token) {
        return end - start == token.length() && token.regionMatches(true, 0, value, start, end - start);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }
}
