package io.mesoslb.server.proxy.http;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

/**
 * A request head that is the whole request: no body follows it, and no end marker either. A
 * body-less request (a GET, a {@code Content-Length: 0}) travels as this one message instead of its
 * head and an empty end: one trip through each pipeline and one write fewer per exchange. It holds
 * no buffer, so the exchange may send it again (a replay after a stale connection), as any head.
 *
 * <p>Who reads requests takes it as a head and its end ({@code ProxyExchange}: the request is
 * complete once taken); who writes them gives the backend the end with the head
 * ({@code OriginRequestEncoder}, {@code BackendStreamCodec}).
 */
public final class BodilessRequest extends DefaultHttpRequest {
    public BodilessRequest(HttpVersion version, HttpMethod method, String uri, HttpHeaders headers) {
        super(version, method, uri, headers);
    }
}
