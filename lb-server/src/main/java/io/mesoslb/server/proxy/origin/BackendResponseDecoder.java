package io.mesoslb.server.proxy.origin;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response decoder of one pooled backend connection, which can tell whether anything of the
 * backend's is left over once a response has ended. A backend that sends a body on a HEAD, 204 or
 * 304 answer, or more than its {@code Content-Length}, leaves bytes that belong to no response;
 * without a line break they would sit in this decoder and be read as the start of the next
 * client's response (a 502 for it, or a header glued onto its head). Such a connection is closed,
 * not reused.
 *
 * <p>Replaces {@code HttpClientCodec}'s decoder, whose queue of request methods did two things:
 * HEAD answers have no body, which {@link #awaitResponse} is told instead (one request at a time
 * per connection, so a flag is the queue); and a 200 to CONNECT turns the connection into a
 * tunnel, which mesos-lb never needs, as it answers CONNECT itself (501).
 */
final class BackendResponseDecoder extends HttpResponseDecoder {
    private static final Logger log = LoggerFactory.getLogger(BackendResponseDecoder.class);

    /** A request is out on this connection and its response may come. */
    private boolean awaiting;
    private boolean headRequest;

    BackendResponseDecoder(HttpDecoderConfig config) {
        super(config);
    }

    /** A request goes out on this connection: the response to it comes next. */
    void awaitResponse(boolean toHead) {
        awaiting = true;
        headRequest = toHead;
    }

    /** The connection is between requests: nothing may arrive until the next one is sent. */
    void betweenRequests() {
        awaiting = false;
    }

    /**
     * True when bytes read past the end of the response are still undecoded. Asked as the end of
     * the response is handed on, so whatever came with it in the same read is counted, line break or not.
     */
    boolean holdsUnreadBytes() {
        return actualReadableBytes() > 0;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!awaiting && msg instanceof ByteBuf) {
            // Not an answer to anything: bytes on an idle pooled connection. Decoded, even partly,
            // they would become part of the next client's response.
            ((ByteBuf) msg).release();
            log.debug("{}: unexpected data on idle backend connection", ctx.channel());
            ctx.close();
            return;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        // A 1xx never ends the exchange: the final answer to a HEAD is still to come, and has no body either.
        if (headRequest && ((HttpResponse) msg).status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            return true;
        }
        return super.isContentAlwaysEmpty(msg);
    }
}
