package io.mesoslb.server.proxy.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * Netty's request decoder, for a client connection once {@link ClientRequestDecoder} met a head it
 * does not read: its verdicts (and {@code RequestSyntax}'s after it) are the ones the smuggling and
 * limit tests pin down. Records each request's method for {@link ClientResponseEncoder}, as
 * {@code HttpServerCodec}'s decoder does.
 */
final class ClientRequestFallbackDecoder extends HttpRequestDecoder {
    private final RequestMethods methods;
    private boolean discard;

    ClientRequestFallbackDecoder(HttpDecoderConfig config, RequestMethods methods) {
        super(config);
        this.methods = methods;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (discard) {
            buffer.skipBytes(buffer.readableBytes());
            return;
        }
        int first = out.size();
        super.decode(ctx, buffer, out);
        for (int i = first; i < out.size(); i++) {
            if (out.get(i) instanceof HttpRequest request) {
                try {
                    methods.add(request.method());
                } catch (IllegalStateException e) {
                    discard = true;
                    for (int k = i; k < out.size(); k++) {
                        ReferenceCountUtil.release(out.get(k));
                    }
                    out.subList(i, out.size()).clear();
                    throw e;
                }
            }
        }
    }
}
