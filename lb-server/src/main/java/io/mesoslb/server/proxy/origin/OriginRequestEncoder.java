package io.mesoslb.server.proxy.origin;

import io.mesoslb.server.proxy.http.BodilessRequest;
import io.mesoslb.server.proxy.http.RelayedHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes requests to a backend, a relayed head's fields written as the client sent them (less the
 * proxy's edits). A {@link BodilessRequest} is its head and its end: one buffer, one write on.
 */
public final class OriginRequestEncoder extends HttpRequestEncoder {
    private final List<Object> encoded = new ArrayList<>(2);

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (!(msg instanceof BodilessRequest)) {
            super.write(ctx, msg, promise);
            return;
        }
        try {
            encode(ctx, msg, encoded);
            // Ends the message in the encoder's state; a body-less request's end adds no bytes.
            encode(ctx, LastHttpContent.EMPTY_LAST_CONTENT, encoded);
            for (int i = 1; i < encoded.size(); i++) {
                if (((ByteBuf) encoded.get(i)).isReadable()) {
                    throw new IllegalStateException("a body-less request encoded with a body");
                }
            }
        } catch (Exception e) {
            for (Object o : encoded) {
                ReferenceCountUtil.release(o);
            }
            encoded.clear();
            throw e instanceof EncoderException ee ? ee : new EncoderException(e);
        }
        Object head = encoded.get(0);
        encoded.clear();
        ctx.write(head, promise);
    }

    @Override
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
        if (!RelayedHeaders.writeIfRelayed(headers, buf)) {
            super.encodeHeaders(headers, buf);
        }
    }
}
