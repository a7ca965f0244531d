package io.mesoslb.server.proxy.origin;

import io.mesoslb.server.proxy.exchange.Deadline;

import io.mesoslb.core.Backend;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of one backend connection. Installed once per connection; between requests it sits in
 * its loop's pool with no peer, and while lent out it hands everything it reads to the
 * {@link ClientResponseWriter} of the client connection it serves. It also keeps the backend's
 * clocks: the response timeout while a response is due, the idle timeout while pooled.
 */
public final class OriginResponseReceiver extends ChannelInboundHandlerAdapter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(OriginResponseReceiver.class);

    private final Backend backend;
    private final LoopBackendPool pool;
    private final BackendResponseDecoder decoder;
    private final long responseTimeoutNanos;
    private final long idleTimeoutNanos;
    private ChannelHandlerContext ctx;
    private ClientResponseWriter peer;
    /**
     * The backend's silence limit while a response is due: from the end of the request to the
     * response head, then between two reads of the body (nginx's proxy_read_timeout). Stopped
     * while this side is paused for a slow client, when silence is ours, not the backend's.
     */
    private Deadline responseDeadline;
    private boolean responseDue;
    /** Reader idle: restarted after each read that delivered something (no handler of its own: one hop less per message). */
    private Deadline idle;
    private boolean readInBatch;

    /**
     * @param decoder          the connection's response decoder, ahead of this handler in its pipeline
     * @param idleTimeoutNanos a pooled connection that has read nothing for this long is closed
     */
    OriginResponseReceiver(Backend backend, LoopBackendPool pool, BackendResponseDecoder decoder, long responseTimeoutNanos,
                   long idleTimeoutNanos) {
        this.backend = backend;
        this.pool = pool;
        this.decoder = decoder;
        this.responseTimeoutNanos = responseTimeoutNanos;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    public Backend backend() {
        return backend;
    }

    public Channel channel() {
        return ctx.channel();
    }

    /**
     * True when the connection can carry another exchange: nothing the backend sent past the end of its response is left unread (asked as that end is handed on).
     */
    boolean isReusable() {
        if (decoder.holdsUnreadBytes()) {
            log.debug("{}: {} sent more than its response; not reusing the connection", ctx.channel(), backend);
            return false;
        }
        return true;
    }

    /** Lends the connection to the client connection of {@code writer}, whose request (a HEAD or not) goes out on it next. */
    public void attach(ClientResponseWriter writer, boolean headRequest) {
        peer = writer;
        decoder.awaitResponse(headRequest);
    }

    /** Ends the loan: the connection no longer belongs to any request. */
    void detach() {
        peer = null;
        decoder.betweenRequests();
        cancelResponseTimeout();
        ctx.channel().config().setAutoRead(true);
    }

    public void armResponseTimeout() {
        responseDue = true;
        if (ctx.channel().config().isAutoRead()) {
            responseDeadline.start();
        }
    }

    public void cancelResponseTimeout() {
        responseDue = false;
        responseDeadline.stop();
    }

    /** Backpressure from the client: stop (or resume) reading this backend, and its silence clock with it. */
    public void pauseReads(boolean paused) {
        ctx.channel().config().setAutoRead(!paused);
        if (paused) {
            responseDeadline.stop();
        } else if (responseDue) {
            responseDeadline.start();
        }
    }

    /** The response timer fired. */
    @Override
    public void run() {
        ClientResponseWriter p = peer;
        if (p != null) {
            p.originTimedOut();
        }
    }

    /**
     * Gives the connection up to a raw-byte relay after a 101: the loan ends for good, the clocks
     * stop, and this handler and the request encoder leave the pipeline. The decoder stays until the
     * relay is in place, so that bytes it still holds reach the relay rather than this handler.
     *
     * @return the response decoder, for the relay to remove once it is installed
     */
    public ChannelHandler handOver() {
        peer = null;
        responseDeadline.cancel();
        idle.cancel();
        ctx.pipeline().remove(HttpRequestEncoder.class);
        ctx.pipeline().remove(this);
        return decoder;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.responseDeadline = new Deadline(ctx.executor(), responseTimeoutNanos, this);
        this.idle = new Deadline(ctx.executor(), idleTimeoutNanos, this::readerIdle);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        idle.restart();
        ctx.fireChannelActive();
    }

    /** Nothing read for the idle timeout: a pooled connection goes; one lent out is the response timeout's business. */
    private void readerIdle() {
        if (peer == null) {
            ctx.close();
        } else {
            idle.restart();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readInBatch = true;
        ClientResponseWriter p = peer;
        if (p != null) {
            p.fromOrigin(msg);
            return;
        }
        ReferenceCountUtil.release(msg);
        // Decoded from bytes that came with the end of the last response (the decoder drops what
        // arrives later): nothing may arrive on an idle connection; whatever did leaves it in an unknown state.
        log.debug("{}: unexpected data on idle connection to {}", ctx.channel(), backend);
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (readInBatch) {
            readInBatch = false;
            long now = System.nanoTime();
            idle.restartAt(now);
            if (responseDue && responseDeadline.isRunning()) {
                responseDeadline.restartAt(now);
            }
        }
        ClientResponseWriter p = peer;
        if (p != null) {
            p.originReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ClientResponseWriter p = peer;
        if (p != null) {
            p.originWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        responseDeadline.cancel();
        idle.cancel();
        ClientResponseWriter p = peer;
        peer = null;
        if (p != null) {
            p.originClosed();
        } else {
            pool.evict(this);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{}: backend connection to {} failed", ctx.channel(), backend, cause);
        ctx.close();
    }
}
