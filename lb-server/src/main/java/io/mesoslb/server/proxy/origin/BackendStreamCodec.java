package io.mesoslb.server.proxy.origin;

import io.mesoslb.server.proxy.http.BodilessRequest;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.util.List;

/**
 * The frames of one HTTP/2 stream to a backend as the HTTP/1 messages the exchange writes and reads
 * ({@code Host} becomes {@code :authority}, hop-by-hop headers go, {@code TE: trailers} stays, trailers
 * both ways), without the {@code x-http2-stream-id} header the conversion adds to what it reads: a
 * detail of this hop, which is nobody's business past it. One per stream: the codec keeps state per read.
 */
final class BackendStreamCodec extends Http2StreamFrameToHttpObjectCodec {
    BackendStreamCodec() {
        super(false);
    }

    /** A {@link BodilessRequest} is its head and its end: a HEADERS frame that ends the stream. */
    @Override
    protected void encode(ChannelHandlerContext ctx, HttpObject obj, List<Object> out) throws Exception {
        int first = out.size();
        super.encode(ctx, obj, out);
        if (obj instanceof BodilessRequest && out.size() == first + 1
                && out.get(first) instanceof Http2HeadersFrame headers && !headers.isEndStream()) {
            out.set(first, new DefaultHttp2HeadersFrame(headers.headers(), true));
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Http2StreamFrame frame, List<Object> out) throws Exception {
        super.decode(ctx, frame, out);
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i) instanceof HttpMessage message) {
                message.headers().remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
            }
        }
    }
}
