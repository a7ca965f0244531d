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
 * The end of one backend channel: an HTTP/1.1 connection, or one HTTP/2 stream. Installed once per
 * channel; between requests a connection sits in its loop's pool with no peer, and while lent out it
 * hands everything it reads to the {@link ClientResponseWriter} of the client connection it serves.
 * Its {@link OriginLender} says where it goes after an exchange. It also keeps the backend's clocks:
 * the response timeout while a response is due, the idle timeout while pooled.
 */
public final class OriginResponseReceiver extends ChannelInboundHandlerAdapter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(OriginResponseReceiver.class);

    private final Backend backend;
    private final OriginLender lender;
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
    /**
     * Reader idle: restarted after each read that delivered something (no handler of its own: one hop
     * less per message); null for a stream, which closes after its exchange.
     */
    private Deadline idle;
    private boolean readInBatch;

    /**
     * @param lender           where the channel goes after an exchange
     * @param idleTimeoutNanos a pooled connection that has read nothing for this long is closed; 0 for
     *                         none (a stream)
     */
    OriginResponseReceiver(Backend backend, OriginLender lender, long responseTimeoutNanos, long idleTimeoutNanos) {
        this.backend = backend;
        this.lender = lender;
        this.responseTimeoutNanos = responseTimeoutNanos;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    public Backend backend() {
        return backend;
    }

    public Channel channel() {
        return ctx.channel();
    }

    /** Lends the channel to the client connection of {@code writer}, whose request (a HEAD or not) goes out on it next. */
    public void attach(ClientResponseWriter writer, boolean headRequest) {
        peer = writer;
        lender.lend(headRequest);
    }

    /**
     * Ends the loan: the channel no longer belongs to any request, and goes back where it came from
     * (closed, when {@code reuse} is false or it cannot carry another exchange).
     */
    void giveBack(boolean reuse) {
        peer = null;
        cancelResponseTimeout();
        lender.takeBack(this, reuse);
    }

    /** @param nowNanos {@link System#nanoTime()} as the caller read it */
    public void armResponseTimeout(long nowNanos) {
        responseDue = true;
        if (ctx.channel().config().isAutoRead()) {
            responseDeadline.startAt(nowNanos);
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
        cancelIdle();
        ChannelHandler decoder = ctx.pipeline().get(BackendResponseDecoder.class);
        ctx.pipeline().remove(HttpRequestEncoder.class);
        ctx.pipeline().remove(this);
        return decoder;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.responseDeadline = new Deadline(ctx.executor(), responseTimeoutNanos, this);
        this.idle = idleTimeoutNanos > 0 ? new Deadline(ctx.executor(), idleTimeoutNanos, this::readerIdle) : null;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (idle != null) {
            idle.restart();
        }
        ctx.fireChannelActive();
    }

    private void cancelIdle() {
        if (idle != null) {
            idle.cancel();
        }
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
            if (idle != null) {
                idle.restartAt(now);
            }
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
        cancelIdle();
        ClientResponseWriter p = peer;
        peer = null;
        if (p != null) {
            p.originClosed();
        } else {
            lender.closedWhileIdle(this);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{}: backend connection to {} failed", ctx.channel(), backend, cause);
        ctx.close();
    }
}
