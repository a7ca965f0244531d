package io.mesoslb.server.proxy.exchange;

import io.mesoslb.server.proxy.HealthCheck;
import io.mesoslb.server.proxy.http.ErrorResponses;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpVersion;

/** The responses the proxy makes up itself: errors, redirects, challenges and the balancer's health check. */
final class LocalAnswers {
    private LocalAnswers() {
    }

    /**
     * @param close     whether the response says {@code Connection: close}
     * @param headOnly  the request was a HEAD: the health check's headers without its body
     */
    static FullHttpResponse of(Verdict v, HttpVersion version, boolean close, HealthCheck health,
                               ByteBufAllocator alloc, boolean headOnly) {
        switch (v.kind()) {
            case HEALTH_CHECK:
                return ErrorResponses.framed(health.response(alloc, version, headOnly), close);
            case REDIRECT: {
                FullHttpResponse r = ErrorResponses.of(v.code(), "moved to " + v.text(), version, close);
                r.headers().set(HttpHeaderNames.LOCATION, v.text());
                return r;
            }
            case CHALLENGE: {
                FullHttpResponse r = ErrorResponses.of(v.code(), "authentication required", version, close);
                r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, v.text());
                return r;
            }
            default:
                return ErrorResponses.of(v.code(), v.text(), version, close);
        }
    }
}
