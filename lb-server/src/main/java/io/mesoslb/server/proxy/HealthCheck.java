package io.mesoslb.server.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpVersion;

/** The balancer's health check answer, which the proxy listener gives for its health path; the operations side decides it. */
public interface HealthCheck {
    /**
     * A complete response for a health request.
     *
     * @param headOnly true for a HEAD request: same headers, no body
     */
    FullHttpResponse response(ByteBufAllocator alloc, HttpVersion version, boolean headOnly);
}
