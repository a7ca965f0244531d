package io.mesoslb.server.proxy.client;

import io.mesoslb.server.proxy.http.RelayedHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;

/**
 * Encodes the responses going to a client: what {@code HttpServerCodec}'s encoder does (no body
 * after a HEAD, by the method of the request answered), with a relayed head's fields written as
 * they were received.
 */
public final class ClientResponseEncoder extends HttpResponseEncoder {
    private final RequestMethods methods;
    private HttpMethod method;

    public ClientResponseEncoder(RequestMethods methods) {
        this.methods = methods;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            // Not the final answer: the request's method stays for the one that is.
            return super.isContentAlwaysEmpty(msg);
        }
        method = methods.next();
        return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
    }

    @Override
    protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
        if (!isAlwaysEmpty && HttpMethod.CONNECT.equals(method) && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
            // RFC 9110 9.3.6: a 2xx to CONNECT has no framing headers.
            msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
            return;
        }
        super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
    }

    @Override
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
        if (!RelayedHeaders.writeIfRelayed(headers, buf)) {
            super.encodeHeaders(headers, buf);
        }
    }
}
