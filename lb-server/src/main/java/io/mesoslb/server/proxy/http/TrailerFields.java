package io.mesoslb.server.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * Fields a trailer may not carry (RFC 9110 6.5.1): framing, routing, connection control and
 * authentication. A backend that merges trailers into the header section would otherwise take a
 * {@code Host} or {@code Authorization} the proxy never checked. The codec drops
 * {@code Content-Length}, {@code Transfer-Encoding} and {@code Trailer} itself.
 */
public final class TrailerFields {
    private static final AsciiString[] FORBIDDEN = {
        HttpHeaderNames.HOST, HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.TE,
        HttpHeaderNames.UPGRADE, HeaderScan.PROXY_CONNECTION, HttpHeaderNames.EXPECT, HttpHeaderNames.AUTHORIZATION,
        HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.COOKIE, HttpHeaderNames.CONTENT_TYPE,
        HttpHeaderNames.CONTENT_ENCODING, HttpHeaderNames.CONTENT_RANGE, HeaderScan.X_FORWARDED_FOR,
        HeaderScan.X_FORWARDED_PROTO, HeaderScan.X_FORWARDED_PORT, HeaderScan.X_FORWARDED_HOST,
    };

    private TrailerFields() {
    }

    /** Removes the forbidden fields; nothing to do (and no work) for the usual empty trailer. */
    public static void strip(HttpHeaders trailers) {
        if (trailers.isEmpty()) {
            return;
        }
        for (AsciiString name : FORBIDDEN) {
            trailers.remove(name);
        }
    }
}
