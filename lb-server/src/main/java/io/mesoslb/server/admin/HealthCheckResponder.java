package io.mesoslb.server.admin;

import io.mesoslb.server.proxy.HealthCheck;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The answer to a health check, shared by the admin server's {@code /health} and the proxy
 * listener's {@code /_health}, so a balancer gets the same verdict from either port: {@code 200 OK}
 * when ready, {@code 503} with the reason otherwise.
 */
public final class HealthCheckResponder implements HealthCheck {
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
    @Override
    public FullHttpResponse response(ByteBufAllocator alloc, HttpVersion version, boolean headOnly) {
        Answer a = answer();
        return HttpResponses.text(alloc, version, a.status(), a.body(), headOnly);
    }
}
