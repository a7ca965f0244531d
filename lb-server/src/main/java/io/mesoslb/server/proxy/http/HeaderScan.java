package io.mesoslb.server.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;

/**
 * One pass over a message's headers that finds out what the proxy needs from them: the tokens of
 * {@code Connection}, and which of the headers it would otherwise look up, remove or replace one
 * hash lookup at a time are there at all. A typical request has none of them but {@code Host}, so
 * the proxy then removes nothing and adds its own headers without a remove first.
 *
 * <p>The bits stay true only as long as nobody removes or adds those headers: a bit that is set
 * may be stale after stripping (a {@code Connection} value may name any header), so callers treat a
 * set bit as "look", and a clear bit as "not there".
 */
public final class HeaderScan {
    /** {@code Connection} has {@code close}. */
    public static final int CLOSE = 1;
    /** {@code Connection} has {@code keep-alive}. */
    public static final int KEEP_ALIVE = 1 << 1;
    /** {@code Connection} has {@code upgrade}. */
    public static final int UPGRADE = 1 << 2;
    /** {@code Connection} names other headers, which go with it. */
    public static final int NAMES_OTHERS = 1 << 3;
    /** There is a {@code Connection} header. */
    public static final int PRESENT = 1 << 4;

    public static final int HAS_KEEP_ALIVE = 1 << 5;
    public static final int HAS_TE = 1 << 6;
    public static final int HAS_TRAILER = 1 << 7;
    public static final int HAS_PROXY_CONNECTION = 1 << 8;
    public static final int HAS_UPGRADE = 1 << 9;
    public static final int HAS_X_FORWARDED_FOR = 1 << 10;
    public static final int HAS_X_FORWARDED_PROTO = 1 << 11;
    public static final int HAS_X_FORWARDED_PORT = 1 << 12;
    public static final int HAS_X_FORWARDED_HOST = 1 << 13;
    public static final int HAS_VIA = 1 << 14;
    public static final int HAS_TRANSFER_ENCODING = 1 << 15;
    public static final int HAS_CONTENT_LENGTH = 1 << 16;
    public static final int HAS_EXPECT = 1 << 17;
    public static final int HAS_HOST = 1 << 18;
    /** More than one {@code Host}: a request to refuse (RFC 9112 section 3.2), not to route by either. */
    public static final int DUPLICATE_HOST = 1 << 19;
    /**
     * {@code Connection} names a framing or routing header ({@code Content-Length},
     * {@code Transfer-Encoding}, {@code Host}). Stripped as hop-by-hop, the body would reach the
     * backend unframed, its end left to the backend's guess: request smuggling. Never stripped;
     * a request saying so is refused.
     */
    public static final int NAMES_FRAMING = 1 << 20;
    /**
     * A name that some servers read as a framing header and the codec does not:
     * {@code Transfer_Encoding} or {@code Content_Length} (CGI-style servers map '_' to '-').
     */
    public static final int FRAMING_LOOKALIKE = 1 << 21;
    /** {@code Sec-WebSocket-Key1}, half of {@link #HIXIE_KEYS}. */
    public static final int HAS_WEBSOCKET_KEY1 = 1 << 22;
    /** {@code Sec-WebSocket-Key2}, half of {@link #HIXIE_KEYS}. */
    public static final int HAS_WEBSOCKET_KEY2 = 1 << 23;
    /**
     * Both keys of a Hixie-76 WebSocket handshake (2010, gone from browsers since 2012). On a GET
     * without Content-Length the codec takes the 8 bytes after the head as its body (key3), though
     * no header says so: a backend reads them as the start of the next request.
     */
    public static final int HIXIE_KEYS = HAS_WEBSOCKET_KEY1 | HAS_WEBSOCKET_KEY2;
    /** {@code Content-Type}: a gRPC request is answered the gRPC way ({@link GrpcErrors}). */
    public static final int HAS_CONTENT_TYPE = 1 << 24;
    /** {@code grpc-timeout}: the client's deadline for the call. */
    public static final int HAS_GRPC_TIMEOUT = 1 << 25;

    public static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    public static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    public static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString CONTENT_LENGTH_UNDERSCORE = AsciiString.cached("content_length");
    private static final AsciiString TRANSFER_ENCODING_UNDERSCORE = AsciiString.cached("transfer_encoding");

    private HeaderScan() {
    }

    /** The bits above for {@code headers}. */
    public static int scan(HttpHeaders headers) {
        if (headers instanceof RelayedHeaders relayed) {
            return relayed.scan();
        }
        int bits = 0;
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            int found = classify(e.getKey());
            if (found == PRESENT) {
                bits |= connectionTokens(e.getValue(), null);
            } else if (found == HAS_HOST && (bits & HAS_HOST) != 0) {
                bits |= DUPLICATE_HOST;
            }
            bits |= found;
        }
        return bits;
    }

    /** The bit of a header name, or 0 for one the proxy does not care about. By length first: most names fall out there. */
    static int classify(CharSequence name) {
        switch (name.length()) {
            case 2:
                return is(name, HttpHeaderNames.TE) ? HAS_TE : 0;
            case 3:
                return is(name, HttpHeaderNames.VIA) ? HAS_VIA : 0;
            case 4:
                return is(name, HttpHeaderNames.HOST) ? HAS_HOST : 0;
            case 6:
                return is(name, HttpHeaderNames.EXPECT) ? HAS_EXPECT : 0;
            case 7:
                return is(name, HttpHeaderNames.UPGRADE) ? HAS_UPGRADE
                        : is(name, HttpHeaderNames.TRAILER) ? HAS_TRAILER : 0;
            case 10:
                return is(name, HttpHeaderNames.CONNECTION) ? PRESENT
                        : is(name, HttpHeaderNames.KEEP_ALIVE) ? HAS_KEEP_ALIVE : 0;
            case 12:
                return is(name, HttpHeaderNames.CONTENT_TYPE) ? HAS_CONTENT_TYPE
                        : is(name, GrpcErrors.GRPC_TIMEOUT) ? HAS_GRPC_TIMEOUT : 0;
            case 14:
                return is(name, HttpHeaderNames.CONTENT_LENGTH) ? HAS_CONTENT_LENGTH
                        : is(name, CONTENT_LENGTH_UNDERSCORE) ? FRAMING_LOOKALIKE : 0;
            case 15:
                return is(name, X_FORWARDED_FOR) ? HAS_X_FORWARDED_FOR : 0;
            case 16:
                return is(name, X_FORWARDED_HOST) ? HAS_X_FORWARDED_HOST
                        : is(name, X_FORWARDED_PORT) ? HAS_X_FORWARDED_PORT
                        : is(name, PROXY_CONNECTION) ? HAS_PROXY_CONNECTION : 0;
            case 18:
                return is(name, HttpHeaderNames.SEC_WEBSOCKET_KEY1) ? HAS_WEBSOCKET_KEY1
                        : is(name, HttpHeaderNames.SEC_WEBSOCKET_KEY2) ? HAS_WEBSOCKET_KEY2 : 0;
            case 17:
                return is(name, HttpHeaderNames.TRANSFER_ENCODING) ? HAS_TRANSFER_ENCODING
                        : is(name, X_FORWARDED_PROTO) ? HAS_X_FORWARDED_PROTO
                        : is(name, TRANSFER_ENCODING_UNDERSCORE) ? FRAMING_LOOKALIKE : 0;
            default:
                return 0;
        }
    }

    private static boolean is(CharSequence name, AsciiString known) {
        return known.contentEqualsIgnoreCase(name);
    }

    /**
     * The bits of one Connection value, a comma-separated token list, without allocating; and, when
     * {@code removeNamedFrom} is given, removes from it the headers that the value names (all
     * tokens but the three with a meaning of their own, and never a framing or routing header:
     * see {@link #NAMES_FRAMING}).
     */
    public static int connectionTokens(CharSequence value, HttpHeaders removeNamedFrom) {
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
                // Upgrade itself goes (or stays, when tunnelling) with the decision in HopByHopHeaders.strip.
                bits |= UPGRADE;
            } else if (matches(value, start, end, HttpHeaderNames.CONTENT_LENGTH)
                    || matches(value, start, end, HttpHeaderNames.TRANSFER_ENCODING)
                    || matches(value, start, end, HttpHeaderNames.HOST)) {
                bits |= NAMES_FRAMING;
            } else {
                bits |= NAMES_OTHERS;
                if (removeNamedFrom != null) {
                    removeNamedFrom.remove(value.subSequence(start, end).toString());
                }
            }
        }
        return bits;
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
