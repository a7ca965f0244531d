package io.mesoslb.server.proxy.tunnel;

import io.mesoslb.server.proxy.exchange.Deadline;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One end of a raw-byte tunnel: what its channel reads goes to the other end's channel, flushed once
 * per read batch. Each end reads only while the other end's channel can take more, and a close on
 * either side closes the other once what was relayed has been flushed. Installed in pairs by
 * {@link TunnelSwitch}; a TCP relay is the same pair from the first byte.
 *
 * <p>Both channels share an event loop, so the pair needs no synchronisation.
 */
final class TunnelRelay extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TunnelRelay.class);

    /** The tunnel's idle timeout, kept by one end of the pair; 0 on the other. */
    private final long idleNanos;
    private TunnelRelay other;
    private ChannelHandlerContext ctx;
    private Deadline idle;
    /** Bytes were written to the other end since its last flush. */
    private boolean unflushed;
    /** Bytes moved either way since the idle clock last looked. */
    private boolean moved;

    TunnelRelay(long idleNanos) {
        this.idleNanos = idleNanos;
    }

    static void pair(TunnelRelay a, TunnelRelay b) {
        a.other = b;
        b.other = a;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (idleNanos > 0) {
            idle = new Deadline(ctx.executor(), idleNanos, this::idleCheck);
        }
    }

    /** Starts relaying once both ends are installed. */
    void start() {
        if (idle != null) {
            idle.start();
        }
        ctx.channel().config().setAutoRead(other.ctx.channel().isWritable());
        if (!ctx.channel().isActive()) {
            closeOther();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        relay(msg);
    }

    /** Hands {@code msg} to the other end: bytes are written, anything else (HTTP left over) dropped. */
    void relay(Object msg) {
        if (msg instanceof ByteBuf && other.ctx.channel().isActive()) {
            other.ctx.write(msg, other.ctx.voidPromise());
            unflushed = true;
            touch();
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void touch() {
        moved = true;
        other.moved = true;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (unflushed) {
            unflushed = false;
            other.ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        if (!writable) {
            // The other end may stop reading mid-batch, with no read-complete to flush what it wrote.
            ctx.flush();
        }
        other.ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    private void idleCheck() {
        if (moved || other.moved) {
            moved = false;
            other.moved = false;
            idle.restart();
            return;
        }
        log.debug("{}: closing idle tunnel", ctx.channel());
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (idle != null) {
            idle.cancel();
        }
        closeOther();
        ctx.fireChannelInactive();
    }

    private void closeOther() {
        other.ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{}: tunnel failed", ctx.channel(), cause);
        ctx.close();
    }
}
