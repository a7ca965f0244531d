package io.mesoslb.server.proxy.exchange;

import io.mesoslb.server.proxy.HealthCheck;
import io.mesoslb.server.proxy.ProxyStatus;
import io.mesoslb.server.proxy.http.ErrorResponses;
import io.mesoslb.server.proxy.http.GrpcErrors;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The responses the proxy makes up itself: errors, redirects, challenges and the balancer's health check.
 * A gRPC call's error or challenge is answered the gRPC way ({@link GrpcErrors}).
 */
final class LocalAnswers {
    private LocalAnswers() {
    }

    /**
     * @param close     whether the response says {@code Connection: close}
     * @param headOnly  the request was a HEAD: the health check's headers without its body
     * @param grpc      the request is a gRPC call
     */
    static FullHttpResponse of(Verdict v, HttpVersion version, boolean close, HealthCheck health,
                               ByteBufAllocator alloc, boolean headOnly, boolean grpc) {
        switch (v.kind()) {
            case HEALTH_CHECK:
                return ErrorResponses.framed(health.response(alloc, version, headOnly), close);
            case REDIRECT: {
                FullHttpResponse r = ErrorResponses.of(v.code(), "moved to " + v.text(), version, close);
                r.headers().set(HttpHeaderNames.LOCATION, v.text());
                return r;
            }
            case CHALLENGE: {
                FullHttpResponse r = error(v.why(), v.code(), "authentication required", version, close, grpc);
                r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, v.text());
                return r;
            }
            default:
                return error(v.why(), v.code(), v.text(), version, close, grpc);
        }
    }

    /** An error: {@code code} with {@code text} as its body, or for a gRPC call the gRPC status {@code why} maps to. */
    static FullHttpResponse error(ProxyStatus why, HttpResponseStatus code, String text, HttpVersion version,
                                  boolean close, boolean grpc) {
        return grpc ? GrpcErrors.answer(why, code, text, version, close) : ErrorResponses.of(code, text, version, close);
    }
}
