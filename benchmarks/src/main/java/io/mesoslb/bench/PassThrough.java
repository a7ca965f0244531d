package io.mesoslb.bench;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Forwards every buffer read on one channel to another, unread and unparsed, without a future per
 * write: standing where the proxy stands, it makes {@link ExchangeAllocationBenchmark}'s baseline,
 * the driver and the in-VM origin with nothing between them.
 */
final class PassThrough extends ChannelInboundHandlerAdapter {
    private Channel to;

    void to(Channel to) {
        this.to = to;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        to.write(msg, to.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        to.flush();
    }
}
