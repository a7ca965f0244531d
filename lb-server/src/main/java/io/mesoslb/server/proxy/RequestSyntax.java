package io.mesoslb.server.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * What the codec lets through but a proxy must not forward: anything the backend could frame,
 * route or read differently from the proxy. Netty's decoder already refuses bare CR/LF line ends,
 * Content-Length with Transfer-Encoding, Transfer-Encoding on HTTP/1.0, conflicting Content-Lengths
 * and codings after {@code chunked}; these are the rules it leaves to us, each one a row of the
 * smuggling corpus ({@code SmugglingTest}).
 */
final class RequestSyntax {
    /** Why a request head is refused: the status and the text of the answer. */
    record Refusal(HttpResponseStatus status, String text) {
    }

    static final Refusal HTTP2_PREFACE = new Refusal(HttpResponseStatus.BAD_REQUEST,
            "bad request: HTTP/2 is not spoken on this port without TLS");
    static final Refusal VERSION = new Refusal(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
            "HTTP version not supported: HTTP/1.0 and HTTP/1.1 are");
    static final Refusal TARGET_BYTES = new Refusal(HttpResponseStatus.BAD_REQUEST,
            "bad request: the request target has a byte outside visible ASCII");
    static final Refusal TARGET_FORM = new Refusal(HttpResponseStatus.BAD_REQUEST,
            "bad request: the request target is neither a path nor an http(s) URL");
    static final Refusal CONNECTION_NAMES_FRAMING = new Refusal(HttpResponseStatus.BAD_REQUEST,
            "bad request: Connection names Content-Length, Transfer-Encoding or Host");
    static final Refusal FRAMING_LOOKALIKE = new Refusal(HttpResponseStatus.BAD_REQUEST,
            "bad request: Transfer_Encoding or Content_Length header");
    static final Refusal CODING = new Refusal(HttpResponseStatus.NOT_IMPLEMENTED,
            "transfer coding not implemented: only chunked is");

    private RequestSyntax() {
    }

    /**
     * @param scanned what {@link HeaderScan#scan} found in the request's headers
     * @return why {@code req} must be refused, or null when it may go on
     */
    static Refusal check(HttpRequest req, int scanned) {
        HttpVersion version = req.protocolVersion();
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0 && !isHttp1(version)) {
            return version.majorVersion() == 2 && "PRI".equals(req.method().name()) ? HTTP2_PREFACE : VERSION;
        }
        Refusal target = checkTarget(req.uri(), req.method());
        if (target != null) {
            return target;
        }
        if ((scanned & (HeaderScan.NAMES_FRAMING | HeaderScan.FRAMING_LOOKALIKE)) != 0) {
            return (scanned & HeaderScan.NAMES_FRAMING) != 0 ? CONNECTION_NAMES_FRAMING : FRAMING_LOOKALIKE;
        }
        if ((scanned & HeaderScan.HAS_TRANSFER_ENCODING) != 0 && !onlyChunked(req.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING))) {
            // The decoder de-chunks and the encoder re-chunks: a backend would be told of a
            // gzip or identity coding the body no longer has. nginx answers 501 too.
            return CODING;
        }
        return null;
    }

    /** HTTP/1.0 or 1.1, however the codec was given it ({@code http/1.1}); {@code HTTP/1.10} is not. */
    static boolean isHttp1(HttpVersion version) {
        return version.majorVersion() == 1 && (version.minorVersion() == 0 || version.minorVersion() == 1);
    }

    /**
     * Visible ASCII only (no control bytes, no space, no DEL, nothing the codec would re-encode),
     * in origin form, absolute form over http(s), or {@code *} for OPTIONS.
     */
    static Refusal checkTarget(String uri, HttpMethod method) {
        int n = uri.length();
        if (n == 0) {
            return TARGET_FORM;
        }
        for (int i = 0; i < n; i++) {
            char c = uri.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return TARGET_BYTES;
            }
        }
        char first = uri.charAt(0);
        if (first == '/') {
            return null;
        }
        if (first == '*') {
            return n == 1 && HttpMethod.OPTIONS.equals(method) ? null : TARGET_FORM;
        }
        return AbsoluteForm.isHttpUrl(uri) ? null : TARGET_FORM;
    }

    /** Exactly one coding, chunked, over all the header's fields (empty list elements aside). */
    private static boolean onlyChunked(List<String> fields) {
        int codings = 0;
        for (int f = 0; f < fields.size(); f++) {
            String value = fields.get(f);
            int i = 0;
            int len = value.length();
            while (i <= len) {
                int comma = value.indexOf(',', i);
                int end = comma < 0 ? len : comma;
                int start = i;
                while (start < end && (value.charAt(start) == ' ' || value.charAt(start) == '\t')) {
                    start++;
                }
                while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) {
                    end--;
                }
                if (start < end) {
                    if (++codings > 1 || end - start != HttpHeaderValues.CHUNKED.length()
                            || !HttpHeaderValues.CHUNKED.regionMatches(true, 0, value, start, end - start)) {
                        return false;
                    }
                }
                if (comma < 0) {
                    break;
                }
                i = comma + 1;
            }
        }
        return codings == 1;
    }
}
