package io.mesoslb.server.proxy.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * On a plain port with h2c by prior knowledge: reads a connection's first bytes and hands the
 * connection to HTTP/2 when they are the client preface (RFC 9113 3.4), to HTTP/1 at the first byte
 * that differs. What it read goes on, untouched, to the handlers it chose.
 */
final class H2cPrefaceSniffer extends ByteToMessageDecoder {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ProtocolChoice choice;

    H2cPrefaceSniffer(ProtocolChoice choice) {
        this.choice = choice;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.length);
        int start = in.readerIndex();
        for (int i = 0; i < n; i++) {
            if (in.getByte(start + i) != PREFACE[i]) {
                choose(ctx, false);
                return;
            }
        }
        if (n == PREFACE.length) {
            choose(ctx, true);
        }
    }

    private void choose(ChannelHandlerContext ctx, boolean http2) {
        if (http2) {
            choice.http2(ctx.pipeline());
        } else {
            choice.http1(ctx.pipeline());
        }
        // Passes what was read on to the handlers just added, as the decoder leaves the pipeline.
        ctx.pipeline().remove(this);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == RequestHeadTimer.EXPIRED) {
            // Part of a preface, and no more: neither protocol has a request to answer.
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
