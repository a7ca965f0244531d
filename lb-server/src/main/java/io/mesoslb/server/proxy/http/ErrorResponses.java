package io.mesoslb.server.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/** The short plain-text responses the proxy sends when it cannot relay one from a backend. */
public final class ErrorResponses {
    private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain; charset=utf-8");
    private static final AsciiString X_CONTENT_TYPE_OPTIONS = AsciiString.cached("x-content-type-options");
    private static final AsciiString NOSNIFF = AsciiString.cached("nosniff");

    private ErrorResponses() {
    }

    /**
     * A complete response; {@code text} becomes the body, followed by a newline. The text may carry
     * what a client sent (a host, a decoder's complaint about a header), so it is {@link #escaped};
     * and {@code nosniff} keeps a browser from reading it as anything but text.
     */
    public static FullHttpResponse of(HttpResponseStatus status, String text, HttpVersion version, boolean close) {
        ByteBuf body = Unpooled.wrappedBuffer((escaped(text) + "\n").getBytes(StandardCharsets.US_ASCII));
        FullHttpResponse response = new DefaultFullHttpResponse(version, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN)
                .set(X_CONTENT_TYPE_OPTIONS, NOSNIFF)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return framed(response, close);
    }

    /** Says whether the connection stays open after {@code response}, as its HTTP version requires. */
    public static FullHttpResponse framed(FullHttpResponse response, boolean close) {
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (response.protocolVersion().minorVersion() == 0) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return response;
    }

    /**
     * Text made safe to send back: printable ASCII as it is, every other
     * byte as {@code \xNN}, so no control byte, line break or stray encoding reaches a terminal,
     * a log or a browser from an error body.
     */
    public static String escaped(String raw) {
        int n = raw.length();
        StringBuilder b = null;
        for (int i = 0; i < n; i++) {
            char c = raw.charAt(i);
            boolean plain = c >= 0x20 && c < 0x7f && c != '\\';
            if (b == null) {
                if (plain) {
                    continue;
                }
                b = new StringBuilder(n + 16).append(raw, 0, i);
            }
            if (plain) {
                b.append(c);
            } else if (c == '\\') {
                b.append("\\\\");
            } else if (c <= 0xff) {
                b.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b == null ? raw : b.toString();
    }
}
