package io.mesoslb.server.proxy.client;

import io.mesoslb.server.proxy.http.BodilessRequest;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.util.List;

/**
 * An HTTP/2 stream's frames as the HTTP/1 messages the exchange reads (and its answer back as
 * frames): {@code :authority} becomes {@code Host}, a body without {@code content-length} is chunked
 * for the backend, and the response's connection headers are dropped. Two changes to Netty's codec:
 * <ul>
 *   <li>a request without a body is one {@link BodilessRequest}, as the HTTP/1 decoder gives it, not
 *       a full message: the exchange can send it again after a reset, and no buffer is made;</li>
 *   <li>the conversion's own headers ({@code x-http2-stream-id}, {@code x-http2-scheme}) are not the
 *       client's and do not reach the backend (a client's own are dropped by the conversion). An
 *       extended CONNECT's {@code x-http2-protocol} stays: the exchange refuses CONNECT, and says why.</li>
 * </ul>
 */
@ChannelHandler.Sharable
final class Http2RequestCodec extends Http2StreamFrameToHttpObjectCodec {
    static final Http2RequestCodec INSTANCE = new Http2RequestCodec();

    private Http2RequestCodec() {
        super(true, true);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Http2StreamFrame frame, List<Object> out) throws Exception {
        if (frame instanceof Http2HeadersFrame headers && headers.isEndStream() && headers.headers().method() != null) {
            HttpRequest req = ours(HttpConversionUtil.toHttpRequest(headers.stream().id(), headers.headers(), true));
            out.add(new BodilessRequest(req.protocolVersion(), req.method(), req.uri(), req.headers()));
            return;
        }
        int first = out.size();
        super.decode(ctx, frame, out);
        if (out.size() > first && out.get(first) instanceof HttpRequest req) {
            ours(req);
        }
    }

    private static HttpRequest ours(HttpRequest req) {
        HttpHeaders h = req.headers();
        h.remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
        h.remove(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text());
        return req;
    }
}
