package io.mesoslb.server.proxy.client;

import io.mesoslb.server.proxy.http.BodilessRequest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2ResetFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What ending the "connection" means when it is an HTTP/2 stream. The exchange ends its client side
 * the HTTP/1 way (close once written, a lingering close after an error); on a stream:
 * <ul>
 *   <li>a close waits until the response's last frame is out: it may be queued for the client's
 *       flow-control window, and closing the stream before would reset it away;</li>
 *   <li>a response complete before the request is (an early answer, an error) is followed by
 *       RST_STREAM NO_ERROR, which asks the client to stop sending its body (RFC 9113 8.1) instead
 *       of having it read and dropped;</li>
 *   <li>the client resetting the stream (RST_STREAM) ends the exchange;</li>
 *   <li>the empty write that asks for a flush before a close has no frame to become: it is dropped;</li>
 *   <li>a request the codec cannot make an HTTP/1 message of (a {@code host} that disagrees with
 *       {@code :authority}, RFC 9113 8.3.1) is malformed: RST_STREAM with the codec's error
 *       (PROTOCOL_ERROR), as for the malformed requests Netty refuses before a stream exists.</li>
 * </ul>
 * A close while the response is incomplete resets the stream (CANCEL): the client learns that what
 * it got is not all. Between the request codec and the exchange's receiver.
 */
final class Http2StreamEnd extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(Http2StreamEnd.class);

    private boolean requestEnded;
    /** The write of the response's end, once made. */
    private ChannelFuture responseEnd;
    private ChannelPromise closeWhenOut;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof LastHttpContent || msg instanceof BodilessRequest) {
            requestEnded = true;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame) {
            // The client cancelled: whatever the exchange holds for this stream goes with it. Closed once
            // the codec has closed the stream (right after this event): closed now, the stream would
            // answer the reset with a reset, which the client must not get (RFC 9113 5.4.2) and which
            // counts towards the server's own limit of resets sent.
            ctx.executor().execute(() -> ctx.close());
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Http2Exception malformed = http2Cause(cause);
        if (malformed == null) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        log.debug("{}: malformed request: {}", ctx.channel(), malformed.getMessage());
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(malformed.error()), ctx.voidPromise());
        ctx.close();
    }

    private static Http2Exception http2Cause(Throwable t) {
        for (int depth = 0; t != null && depth < 4; depth++, t = t.getCause()) {
            if (t instanceof Http2Exception e) {
                return e;
            }
        }
        return null;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf && !buf.isReadable()) {
            buf.release();
            promise.trySuccess();
            return;
        }
        if (msg instanceof LastHttpContent && !isInterim(msg) && responseEnd == null) {
            ChannelPromise end = promise.unvoid();
            responseEnd = end;
            end.addListener(f -> responseOut(ctx));
            ctx.write(msg, end);
            return;
        }
        ctx.write(msg, promise);
    }

    /** A 1xx goes out whole (head and end in one message) and is not the response. */
    private static boolean isInterim(Object msg) {
        return msg instanceof HttpResponse r && r.status().code() < 200;
    }

    private void responseOut(ChannelHandlerContext ctx) {
        if (!requestEnded && responseEnd.isSuccess() && ctx.channel().isActive()) {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR), ctx.voidPromise());
        }
        if (closeWhenOut != null) {
            ctx.close(closeWhenOut);
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (responseEnd != null && !responseEnd.isDone()) {
            if (closeWhenOut == null) {
                closeWhenOut = promise.unvoid();
            } else if (!promise.isVoid()) {
                closeWhenOut.addListener(f -> promise.trySuccess());
            }
            return;
        }
        ctx.close(promise);
    }
}
