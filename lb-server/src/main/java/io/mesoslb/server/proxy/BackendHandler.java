package io.mesoslb.server.proxy;

import io.mesoslb.core.Backend;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of one backend connection. Installed once per connection; between requests it sits in
 * its loop's pool with no peer, and while lent out it hands everything it reads to the
 * {@link FrontendHandler} of the request it serves.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(BackendHandler.class);

    private final Backend backend;
    private final LoopBackendPool pool;
    private final BackendResponseDecoder decoder;
    private final long responseTimeoutNanos;
    private final long idleTimeoutNanos;
    private ChannelHandlerContext ctx;
    private FrontendHandler peer;
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
    private boolean tunnel;

    /**
     * @param decoder          the connection's response decoder, ahead of this handler in its pipeline
     * @param idleTimeoutNanos a pooled connection that has read nothing for this long is closed
     */
    BackendHandler(Backend backend, LoopBackendPool pool, BackendResponseDecoder decoder, long responseTimeoutNanos,
                   long idleTimeoutNanos) {
        this.backend = backend;
        this.pool = pool;
        this.decoder = decoder;
        this.responseTimeoutNanos = responseTimeoutNanos;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    Backend backend() {
        return backend;
    }

    Channel channel() {
        return ctx.channel();
    }

    /**
     * True when the connection can carry another exchange: it still speaks HTTP, and nothing the
     * backend sent past the end of its response is left unread (asked as that end is handed on).
     */
    boolean isReusable() {
        if (tunnel) {
            return false;
        }
        if (decoder.holdsUnreadBytes()) {
            log.debug("{}: {} sent more than its response; not reusing the connection", ctx.channel(), backend);
            return false;
        }
        return true;
    }

    /** Lends the connection to {@code frontend}, whose request (a HEAD or not) goes out on it next. */
    void attach(FrontendHandler frontend, boolean headRequest) {
        peer = frontend;
        decoder.awaitResponse(headRequest);
    }

    /** Ends the loan: the connection no longer belongs to any request. */
    void detach() {
        peer = null;
        decoder.betweenRequests();
        cancelResponseTimeout();
        ctx.channel().config().setAutoRead(true);
    }

    void armResponseTimeout() {
        responseDue = true;
        if (ctx.channel().config().isAutoRead()) {
            responseDeadline.start();
        }
    }

    void cancelResponseTimeout() {
        responseDue = false;
        responseDeadline.stop();
    }

    /** Backpressure from the client: stop (or resume) reading this backend, and its silence clock with it. */
    void pauseReads(boolean paused) {
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
        FrontendHandler p = peer;
        if (p != null) {
            p.backendTimedOut();
        }
    }

    /**
     * Stops speaking HTTP on this connection: after a 101 it carries raw bytes. The encoder goes
     * first so that bytes the removed decoder still holds can be relayed without being encoded.
     */
    void removeHttpEncoder() {
        tunnel = true;
        ctx.pipeline().remove(HttpRequestEncoder.class);
    }

    void removeHttpDecoder() {
        ctx.pipeline().remove(decoder);
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
        FrontendHandler p = peer;
        if (p != null) {
            p.fromBackend(msg);
            return;
        }
        ReferenceCountUtil.release(msg);
        if (!tunnel) {
            // Decoded from bytes that came with the end of the last response (the decoder drops what
            // arrives later): nothing may arrive on an idle connection; whatever did leaves it in an unknown state.
            log.debug("{}: unexpected data on idle connection to {}", ctx.channel(), backend);
            ctx.close();
        }
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
        FrontendHandler p = peer;
        if (p != null) {
            p.backendReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        FrontendHandler p = peer;
        if (p != null) {
            p.backendWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        responseDeadline.cancel();
        idle.cancel();
        FrontendHandler p = peer;
        peer = null;
        if (p != null) {
            p.backendClosed();
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
