package io.mesoslb.server.proxy.origin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty's response decoder, for the responses {@link BackendResponseDecoder} does not read in place,
 * one at a time: it is never in a pipeline, but called with the owner's buffer from a response's
 * first byte until it hands on that response's end. Netty's decoder keeps no bytes of its own
 * between calls (a line not ended yet stays in the buffer), so the next response can be read in
 * place again. After a failure, or a 101 (Netty's decoder then passes the new protocol's bytes on),
 * it reads the rest of the connection.
 */
final class BackendResponseFallbackDecoder extends HttpResponseDecoder {
    private final BackendResponseDecoder owner;
    /** A response is being read, from its first byte to its end. */
    private boolean reading;
    /** What comes next is Netty's decoder's to read, to the end of the connection. */
    private boolean forGood;

    BackendResponseFallbackDecoder(HttpDecoderConfig config, BackendResponseDecoder owner) {
        super(config);
        this.owner = owner;
    }

    /** True while the bytes that come next are this decoder's. */
    boolean reading() {
        return reading || forGood;
    }

    /** One step of Netty's decoding, as its own {@code callDecode} loop would take it. */
    void read(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        reading = true;
        int first = out.size();
        decode(ctx, in, out);
        follow(out, first);
    }

    /**
     * Netty's decoder takes over a response whose head was read in place, in the middle of its
     * body: {@code primer} (from {@link ChunkedBody#resumeAt}) brings it to where the in-place
     * reading stopped, and what it makes of the primer is dropped, as it went on already.
     */
    void takeOver(ChannelHandlerContext ctx, byte[] primer) throws Exception {
        ByteBuf bytes = Unpooled.wrappedBuffer(primer);
        List<Object> dropped = new ArrayList<>(2);
        try {
            int before;
            do {
                before = bytes.readableBytes();
                decode(ctx, bytes, dropped);
            } while (bytes.isReadable() && bytes.readableBytes() < before);
            for (Object msg : dropped) {
                if (msg instanceof DecoderResultProvider p && p.decoderResult().isFailure()) {
                    // Cannot be: the head was read as Netty's decoder reads it.
                    throw new IllegalStateException("a response head read in place fails Netty's decoder",
                            p.decoderResult().cause());
                }
            }
        } finally {
            dropped.forEach(ReferenceCountUtil::release);
            bytes.release();
        }
        reading = true;
    }

    /** The connection closed: what Netty's decoder says of the response it was reading. */
    void readLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        reading = true;
        int first = out.size();
        decodeLast(ctx, in, out);
        follow(out, first);
    }

    /** Frees what the decoder holds (its line buffer); the owner calls it as it leaves the pipeline. */
    void release(ChannelHandlerContext ctx) throws Exception {
        handlerRemoved0(ctx);
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

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        return owner.answersHead(((HttpResponse) msg).status().code()) || super.isContentAlwaysEmpty(msg);
    }
}
