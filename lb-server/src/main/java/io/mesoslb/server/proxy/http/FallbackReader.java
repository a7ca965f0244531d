package io.mesoslb.server.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty's decoder ({@link FallbackDecoder}) reading, one at a time, the messages an
 * {@link InPlaceDecoder} does not: called with the in-place decoder's buffer from a message's first
 * byte until it hands on that message's end. Netty's decoder keeps no bytes of its own between
 * calls (a line not ended yet stays in the buffer), so what follows the message, pipelined or not,
 * is still in that buffer, in order, and the next message is read in place again. After a failure,
 * or a 101 (Netty's decoder then passes the new protocol's bytes on), it reads the rest of the
 * connection.
 *
 * <p>One per connection and direction, on its event loop; made at the first message not read in place.
 */
final class FallbackReader {
    private final FallbackDecoder decoder;
    /** A message is being read, from its first byte to its end. */
    private boolean reading;
    /** What comes next is Netty's decoder's to read, to the end of the connection. */
    private boolean forGood;

    FallbackReader(FallbackDecoder decoder) {
        this.decoder = decoder;
    }

    /** True while the bytes that come next are Netty's decoder's. */
    boolean reading() {
        return reading || forGood;
    }

    /** One step of Netty's decoding. */
    void read(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        reading = true;
        int first = out.size();
        decoder.step(ctx, in, out, false);
        follow(out, first);
    }

    /**
     * Netty's decoder takes over a message whose head was read in place, in the middle of its body:
     * {@code primer} (from {@link ChunkedBody#resumeAt}) brings it to where the in-place reading
     * stopped, and what it makes of the primer is dropped, as it went on already.
     */
    void takeOver(ChannelHandlerContext ctx, byte[] primer) throws Exception {
        ByteBuf bytes = Unpooled.wrappedBuffer(primer);
        List<Object> dropped = new ArrayList<>(2);
        try {
            int before;
            do {
                before = bytes.readableBytes();
                decoder.step(ctx, bytes, dropped, false);
            } while (bytes.isReadable() && bytes.readableBytes() < before);
            for (Object msg : dropped) {
                if (msg instanceof DecoderResultProvider p && p.decoderResult().isFailure()) {
                    // Cannot be: the head was read as Netty's decoder reads it.
                    throw new IllegalStateException("a head read in place fails Netty's decoder",
                            p.decoderResult().cause());
                }
            }
        } finally {
            dropped.forEach(ReferenceCountUtil::release);
            bytes.release();
        }
        reading = true;
    }

    /** The connection closed: what Netty's decoder says of the message it was reading. */
    void readLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        reading = true;
        int first = out.size();
        decoder.step(ctx, in, out, true);
        follow(out, first);
    }

    /** Frees what Netty's decoder holds; the in-place decoder calls it as it leaves the pipeline. */
    void release(ChannelHandlerContext ctx) throws Exception {
        decoder.handlerRemoved(ctx);
    }

    private void follow(List<Object> out, int first) {
        for (int i = first; i < out.size(); i++) {
            Object msg = out.get(i);
            if (msg instanceof DecoderResultProvider p && p.decoderResult().isFailure()
                    || msg instanceof HttpResponse r && r.status().code() == 101) {
                forGood = true;
            }
            if (msg instanceof LastHttpContent) {
                reading = false;
            }
        }
    }
}
