package io.mesoslb.server.proxy.origin;

import io.mesoslb.server.proxy.http.RelayedHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequestEncoder;

/** Encodes requests to a backend, a relayed head's fields written as the client sent them (less the proxy's edits). */
public final class OriginRequestEncoder extends HttpRequestEncoder {
    @Override
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
        if (!RelayedHeaders.writeIfRelayed(headers, buf)) {
            super.encodeHeaders(headers, buf);
        }
    }
}
