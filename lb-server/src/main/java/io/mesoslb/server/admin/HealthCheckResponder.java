package io.mesoslb.server.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The answer to a health check, shared by the admin server's {@code /health} and the proxy
 * listener's {@code /_health}, so a balancer gets the same verdict from either port: {@code 200 OK}
 * when ready, {@code 503} with the reason otherwise.
 */
public final class HealthCheckResponder {
    /**
     * @param status the HTTP status to send
     * @param body   the plain-text body, newline-terminated
     */
    public record Answer(HttpResponseStatus status, String body) {
    }

    private static final Answer OK = new Answer(HttpResponseStatus.OK, "OK\n");

    private final ReadinessState readiness;

    public HealthCheckResponder(ReadinessState readiness) {
        this.readiness = readiness;
    }

    public Answer answer() {
        ReadinessState.Verdict v = readiness.verdict();
        return v.healthy() ? OK : new Answer(HttpResponseStatus.SERVICE_UNAVAILABLE, v.reason() + "\n");
    }

    /**
     * A complete response for a health request; the caller writes it (and closes the connection if
     * the request was not keep-alive).
     *
     * @param headOnly true for a HEAD request: same headers, no body
     */
    public FullHttpResponse response(ByteBufAllocator alloc, HttpVersion version, boolean headOnly) {
        Answer a = answer();
        byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
        ByteBuf content = headOnly ? alloc.buffer(0) : alloc.buffer(bytes.length).writeBytes(bytes);
        FullHttpResponse res = new DefaultFullHttpResponse(version, a.status(), content);
        res.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return res;
    }
}
