package io.mesoslb.server.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/** Complete, uncacheable responses with a known length; HEAD gets the same headers and no body. */
final class HttpResponses {
    static final String TEXT = "text/plain; charset=utf-8";
    static final String JSON = "application/json";
    static final String HTML = "text/html; charset=utf-8";
    private static final AsciiString X_CONTENT_TYPE_OPTIONS = AsciiString.cached("x-content-type-options");
    private static final AsciiString NOSNIFF = AsciiString.cached("nosniff");

    private HttpResponses() {
    }

    /** Takes ownership of {@code content}. */
    static FullHttpResponse of(HttpVersion version, HttpResponseStatus status, String contentType, ByteBuf content,
                               boolean headOnly) {
        int length = content.readableBytes();
        if (headOnly) {
            // Keep the buffer (the response owns it), drop the bytes.
            content.clear();
        }
        FullHttpResponse res = new DefaultFullHttpResponse(version, status, content);
        res.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set(X_CONTENT_TYPE_OPTIONS, NOSNIFF);
        return res;
    }

    static FullHttpResponse of(ByteBufAllocator alloc, HttpVersion version, HttpResponseStatus status,
                               String contentType, byte[] body, boolean headOnly) {
        return of(version, status, contentType, alloc.buffer(body.length).writeBytes(body), headOnly);
    }

    static FullHttpResponse text(ByteBufAllocator alloc, HttpVersion version, HttpResponseStatus status, String body,
                                 boolean headOnly) {
        return of(alloc, version, status, TEXT, body.getBytes(StandardCharsets.UTF_8), headOnly);
    }
}
