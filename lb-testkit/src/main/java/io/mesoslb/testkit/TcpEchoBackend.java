package io.mesoslb.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP task on {@code 127.0.0.1:<free port>}: every byte it reads it writes back, reading no more while the
 * peer is slow to take them (backpressure); when the peer half-closes, it half-closes too once all is echoed.
 * Stopping it closes the listener and every connection, like a killed process.
 */
public final class TcpEchoBackend extends LoopbackServer {
    private final AtomicLong bytes = new AtomicLong();

    private TcpEchoBackend(EventLoopGroup group, String taskId) {
        super(group, null, taskId, true);
    }

    /** Starts an echo server on a shared group, which the caller keeps owning. */
    public static TcpEchoBackend start(EventLoopGroup group, String taskId) {
        return new TcpEchoBackend(group, taskId);
    }

    @Override
    void handlers(ChannelPipeline pipeline) {
        pipeline.addLast(new Echo());
    }

    /** Bytes echoed so far. */
    public long bytesEchoed() {
        return bytes.get();
    }

    private final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf b) {
                bytes.addAndGet(b.readableBytes());
            }
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
            // Read on only while the peer takes what is echoed.
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER)
                        .addListener(f -> ((SocketChannel) ctx.channel()).shutdownOutput());
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
