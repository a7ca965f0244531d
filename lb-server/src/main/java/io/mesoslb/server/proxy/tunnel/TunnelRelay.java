package io.mesoslb.server.proxy.tunnel;

import io.mesoslb.server.proxy.exchange.Deadline;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One end of a raw-byte tunnel: what its channel reads goes to the other end's channel, flushed once
 * per read batch. Each end reads only while the other end's channel can take more. When a side
 * that allows half-closure sends its FIN, the other side's output is shut after what was relayed
 * has been flushed, and the other direction goes on; once both directions are shut, or either side
 * closes, both close. Installed in pairs by {@link TunnelSwitch}: after a 101, or from the first
 * byte of a TCP service-port connection.
 *
 * <p>Both channels share an event loop, so the pair needs no synchronisation.
 */
final class TunnelRelay extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TunnelRelay.class);

    /** The tunnel's idle timeout, kept by the client's end; 0 on the other. */
    private final long idleNanos;
    /** This end reads the client. */
    private final boolean clientSide;
    private final TunnelObserver observer;
    private TunnelRelay other;
    private ChannelHandlerContext ctx;
    private Deadline idle;
    /** Bytes were written to the other end since its last flush. */
    private boolean unflushed;
    /** Bytes moved either way since the idle clock last looked. */
    private boolean moved;
    /** This end's peer sent its FIN: nothing more comes from it. */
    private boolean inputShut;
    /** How the tunnel ended, once it has; the first end to see the end says. */
    private boolean over;

    TunnelRelay(long idleNanos, boolean clientSide, TunnelObserver observer) {
        this.idleNanos = idleNanos;
        this.clientSide = clientSide;
        this.observer = observer;
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
            end(side() + " closed", null);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        relay(msg);
    }

    /** Hands {@code msg} to the other end: bytes are written, anything else (HTTP left over) dropped. */
    void relay(Object msg) {
        if (msg instanceof ByteBuf buf && other.ctx.channel().isActive()) {
            observer.relayed(clientSide, buf.readableBytes());
            other.ctx.write(msg, other.ctx.voidPromise());
            unflushed = true;
            moved = true;
        } else {
            ReferenceCountUtil.release(msg);
        }
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
        if (!ctx.channel().isWritable()) {
            // The other end may stop reading mid-batch, with no read-complete to flush what it wrote.
            ctx.flush();
        }
        other.ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** This end's peer sent its FIN. */
    void inputShutdown() {
        inputShut = true;
        if (other.inputShut) {
            end("both sides closed", null);
        } else if (other.ctx.channel() instanceof DuplexChannel out) {
            // Half-close: the FIN goes on after what was relayed; the other direction keeps flowing.
            other.ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> out.shutdownOutput());
        } else {
            end(side() + " closed", null);
        }
    }

    private void idleCheck() {
        if (moved || other.moved) {
            moved = false;
            other.moved = false;
            idle.restart();
            return;
        }
        log.debug("{}: closing idle tunnel", ctx.channel());
        end("idle", null);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        end(side() + " closed", null);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{}: tunnel failed", ctx.channel(), cause);
        end(side() + " failed: " + cause.getClass().getSimpleName(), clientSide ? null : cause);
    }

    private String side() {
        return clientSide ? "client" : "backend";
    }

    /** Ends the tunnel: both channels close once what was relayed to each has been flushed. */
    private void end(String how, Throwable originFailure) {
        if (over || other.over) {
            return;
        }
        over = true;
        if (idle != null) {
            idle.cancel();
        }
        if (other.idle != null) {
            other.idle.cancel();
        }
        observer.closed(how, originFailure);
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        other.ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
}
