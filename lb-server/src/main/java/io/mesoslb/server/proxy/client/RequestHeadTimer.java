package io.mesoslb.server.proxy.client;

import io.mesoslb.server.proxy.exchange.Deadline;
import io.mesoslb.server.proxy.exchange.ReadBatchClock;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slowloris protection: a client must deliver a complete request head within the timeout of its
 * first byte, or of connecting. Sits before the HTTP decoder, where the raw bytes are visible.
 *
 * <p>The clock starts when the connection opens and when the first byte of a new request arrives
 * while the frontend waits for one; an idle keep-alive connection with nothing sent is left to the
 * idle timeout. A connection that sent nothing at all is closed silently (browsers open spare
 * connections they may never use); one stuck in the middle of a head gets {@link #EXPIRED}, which
 * the frontend answers with 408.
 */
final class RequestHeadTimer extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(RequestHeadTimer.class);

    /** User event: a request head is incomplete after the timeout. */
    static final Object EXPIRED = new Object() {
        @Override
        public String toString() {
            return "REQUEST_HEAD_TIMEOUT";
        }
    };

    private final long timeoutNanos;
    private final BooleanSupplier awaitingHead;
    private final ReadBatchClock clock;
    private ChannelHandlerContext ctx;
    private Deadline deadline;
    private boolean bytesSeen;

    /**
     * @param awaitingHead true while the frontend is between requests
     * @param clock        the connection's, whose read batches this handler is the first to see
     */
    RequestHeadTimer(long timeoutNanos, BooleanSupplier awaitingHead, ReadBatchClock clock) {
        this.timeoutNanos = timeoutNanos;
        this.awaitingHead = awaitingHead;
        this.clock = clock;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.deadline = new Deadline(ctx.executor(), timeoutNanos, this::expired);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        bytesSeen = false;
        deadline.start();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        clock.batchStarted();
        if (msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
            if (!deadline.isRunning() && awaitingHead.getAsBoolean()) {
                deadline.startAt(clock.now());
            }
            bytesSeen = true;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // After the handlers behind have used the batch's time; ended here too, as they may not be there yet
        // (a listener that speaks HTTP/2 adds them once the connection said which protocol it speaks).
        ctx.fireChannelReadComplete();
        clock.batchEnded();
    }

    /** The frontend has a request head. */
    void headReceived() {
        deadline.stop();
        bytesSeen = false;
    }

    long timeoutMillis() {
        return deadline.timeoutMillis();
    }

    private void expired() {
        if (!bytesSeen) {
            log.debug("{}: no request within {} ms of connecting; closing", ctx.channel(), timeoutMillis());
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(EXPIRED);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        deadline.cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        deadline.cancel();
    }
}
