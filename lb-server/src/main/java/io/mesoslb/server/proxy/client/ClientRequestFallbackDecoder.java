package io.mesoslb.server.proxy.client;

import io.mesoslb.server.proxy.http.FallbackDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.util.List;

/**
 * Netty's request decoder, for the requests {@link ClientRequestDecoder} does not read in place, one
 * at a time (see {@code InPlaceDecoder}): its verdicts (and {@code RequestSyntax}'s after it) are
 * the ones the smuggling and limit tests pin down.
 */
final class ClientRequestFallbackDecoder extends HttpRequestDecoder implements FallbackDecoder {
    ClientRequestFallbackDecoder(HttpDecoderConfig config) {
        super(config);
    }

    @Override
    public void step(ChannelHandlerContext ctx, ByteBuf in, List<Object> out, boolean closed) throws Exception {
        if (closed) {
            decodeLast(ctx, in, out);
        } else {
            decode(ctx, in, out);
        }
    }
}
