package io.mesoslb.server.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessageDecoderResult;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.util.List;

/**
 * What the codec lets through but a proxy must not forward: anything the backend could frame,
 * route or read differently from the proxy. Netty's decoder already refuses bare CR/LF line ends,
 * Content-Length with Transfer-Encoding, Transfer-Encoding on HTTP/1.0, conflicting Content-Lengths
 * and codings after {@code chunked}; these are the rules it leaves to us, each one a row of the
 * smuggling corpus ({@code SmugglingTest}).
 */
public final class RequestSyntax {
    /** Why a request head is refused: the status and the text of the answer. */
    public record Refusal(HttpResponseStatus status, String text) {
    }

    public static final Refusal HTTP2_PREFACE = new Refusal(HttpResponseStatus.BAD_REQUEST,
            "bad request: HTTP/2 is not spoken on this port without TLS");
    public static final Refusal VERSION_SPELLING = new Refusal(HttpResponseStatus.BAD_REQUEST,
            "bad request: the version is spelled HTTP/1.1 or HTTP/1.0");
    public static final Refusal LINE_SPACING = new Refusal(HttpResponseStatus.BAD_REQUEST,
            "bad request: the request line has whitespace other than one space between its parts");
    public static final Refusal TE_LIST = new Refusal(HttpResponseStatus.BAD_REQUEST,
            "bad request: malformed Transfer-Encoding");
    public static final Refusal VERSION = new Refusal(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
            "HTTP version not supported: HTTP/1.0 and HTTP/1.1 are");
    public static final Refusal TARGET_BYTES = new Refusal(HttpResponseStatus.BAD_REQUEST,
            "bad request: the request target has a byte outside visible ASCII");
    public static final Refusal TARGET_FORM = new Refusal(HttpResponseStatus.BAD_REQUEST,
            "bad request: the request target is neither a path nor an http(s) URL");
    public static final Refusal CONNECTION_NAMES_FRAMING = new Refusal(HttpResponseStatus.BAD_REQUEST,
            "bad request: Connection names Content-Length, Transfer-Encoding or Host");
    public static final Refusal FRAMING_LOOKALIKE = new Refusal(HttpResponseStatus.BAD_REQUEST,
            "bad request: Transfer_Encoding or Content_Length header");
    public static final Refusal HIXIE_KEYS = new Refusal(HttpResponseStatus.BAD_REQUEST,
            "bad request: Sec-WebSocket-Key1 and Key2 (Hixie-76 WebSocket) are not supported");
    public static final Refusal CODING = new Refusal(HttpResponseStatus.NOT_IMPLEMENTED,
            "transfer coding not implemented: only chunked is");
    public static final Refusal CONNECT = new Refusal(HttpResponseStatus.NOT_IMPLEMENTED,
            "CONNECT is not supported: this is a reverse proxy");
    public static final Refusal EXTENDED_CONNECT = new Refusal(HttpResponseStatus.NOT_IMPLEMENTED,
            "CONNECT is not supported: this is a reverse proxy; WebSocket over HTTP/2 (RFC 8441) neither: "
                    + "open the WebSocket over HTTP/1.1");
    /** What an HTTP/2 extended CONNECT's {@code :protocol} becomes in the request the exchange reads. */
    private static final CharSequence EXTENDED_CONNECT_PROTOCOL = HttpConversionUtil.ExtensionHeaderNames.PROTOCOL.text();

    private RequestSyntax() {
    }

    /** Why a CONNECT is refused: as a forward proxy's method, or as an HTTP/2 WebSocket's. */
    public static Refusal connect(HttpRequest req) {
        return req.headers().contains(EXTENDED_CONNECT_PROTOCOL) ? EXTENDED_CONNECT : CONNECT;
    }

    /**
     * @param scanned what {@link HeaderScan#scan} found in the request's headers
     * @return why {@code req} must be refused, or null when it may go on
     */
    public static Refusal check(HttpRequest req, int scanned) {
        HttpVersion version = req.protocolVersion();
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
            // The codec hands out its two constants only for "HTTP/1.1" and "HTTP/1.0" spelled exactly.
            if (isHttp1(version)) {
                return VERSION_SPELLING;
            }
            return version.majorVersion() == 2 && "PRI".equals(req.method().name()) ? HTTP2_PREFACE : VERSION;
        }
        Refusal target = checkTarget(req.uri(), req.method());
        if (target != null) {
            return target;
        }
        if (req.decoderResult() instanceof HttpMessageDecoderResult decoded
                && decoded.initialLineLength() != req.method().name().length() + req.uri().length() + 10) {
            // Whitespace the codec skipped: before the method, or more than one between the parts. RFC 9112 3
            // allows reading it leniently, and warns that lenient readers in a chain are how requests get
            // smuggled; nginx and HAProxy refuse the leading kind. (A lone tab for a space has the
            // same length and passes: the codec reads it as a space, and forwards a space.)
            return LINE_SPACING;
        }
        if ((scanned & (HeaderScan.NAMES_FRAMING | HeaderScan.FRAMING_LOOKALIKE)) != 0) {
            return (scanned & HeaderScan.NAMES_FRAMING) != 0 ? CONNECTION_NAMES_FRAMING : FRAMING_LOOKALIKE;
        }
        if ((scanned & HeaderScan.HIXIE_KEYS) == HeaderScan.HIXIE_KEYS) {
            // Refused whatever the method and framing headers: no client has sent both since 2012,
            // and the codec's framing of them is not something to keep in step with.
            return HIXIE_KEYS;
        }
        if ((scanned & HeaderScan.HAS_TRANSFER_ENCODING) != 0) {
            return transferCoding(req.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING));
        }
        return null;
    }

    /** HTTP/1.0 or 1.1, however the codec was given it ({@code http/1.1}); {@code HTTP/1.10} is not. */
    public static boolean isHttp1(HttpVersion version) {
        return version.majorVersion() == 1 && (version.minorVersion() == 0 || version.minorVersion() == 1);
    }

    /**
     * Visible ASCII only (no control bytes, no space, no DEL, nothing the codec would re-encode),
     * in origin form, absolute form over http(s), or {@code *} for OPTIONS.
     */
    public static Refusal checkTarget(String uri, HttpMethod method) {
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

    /**
     * Null for exactly one field holding exactly {@code chunked} (any case, optional whitespace); 501
     * for other codings, which the decoder would strip and the encoder not restore (a backend would
     * be told of a gzip the body no longer has); 400 for an empty list element, which nginx and
     * HAProxy both refuse.
     */
    private static Refusal transferCoding(List<String> fields) {
        if (fields.size() != 1) {
            return fields.isEmpty() ? TE_LIST : CODING;
        }
        String value = fields.get(0);
        int start = 0;
        int end = value.length();
        while (start < end && (value.charAt(start) == ' ' || value.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) {
            end--;
        }
        if (end - start == HttpHeaderValues.CHUNKED.length()
                && HttpHeaderValues.CHUNKED.regionMatches(true, 0, value, start, end - start)) {
            return null;
        }
        return value.indexOf(',') >= 0 && hasEmptyElement(value) ? TE_LIST : CODING;
    }

    private static boolean hasEmptyElement(String list) {
        int from = 0;
        while (true) {
            int comma = list.indexOf(',', from);
            int end = comma < 0 ? list.length() : comma;
            if (list.substring(from, end).isBlank()) {
                return true;
            }
            if (comma < 0) {
                return false;
            }
            from = comma + 1;
        }
    }
}
