package io.mesoslb.server.proxy.origin;

import io.mesoslb.server.proxy.http.FallbackDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.util.List;

/**
 * Netty's response decoder, for the responses {@link BackendResponseDecoder} does not read in place,
 * one at a time (see {@code InPlaceDecoder}), with the owner's rule that an answer to HEAD has no body.
 */
final class BackendResponseFallbackDecoder extends HttpResponseDecoder implements FallbackDecoder {
    private final BackendResponseDecoder owner;

    BackendResponseFallbackDecoder(HttpDecoderConfig config, BackendResponseDecoder owner) {
        super(config);
        this.owner = owner;
    }

    @Override
    public void step(ChannelHandlerContext ctx, ByteBuf in, List<Object> out, boolean closed) throws Exception {
        if (closed) {
            decodeLast(ctx, in, out);
        } else {
            decode(ctx, in, out);
        }
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        return owner.answersHead(((HttpResponse) msg).status().code()) || super.isContentAlwaysEmpty(msg);
    }
}
