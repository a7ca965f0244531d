package io.mesoslb.server.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpMessage;

/**
 * Which way a decoder read the heads of each case of a differential test (in place, relayed; or by
 * Netty's decoder), and how many cases of a corpus went each way: the comparison means something
 * only when every way was taken often enough. Put after the decoder, in each case's pipeline, it
 * sees the messages as they pass.
 */
@ChannelHandler.Sharable
public final class ReadWays extends ChannelInboundHandlerAdapter {
    private int relayed;
    private int decoded;
    private boolean relayedAfterDecoded;
    private int inPlaceAllTheWay;
    private int byNetty;
    private int both;
    private int backInPlace;

    /** A message the decoder handed on in the current case. */
    public void saw(Object msg) {
        if (msg instanceof HttpMessage m) {
            if (m.headers() instanceof RelayedHeaders) {
                relayed++;
                relayedAfterDecoded |= decoded > 0;
            } else {
                decoded++;
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        saw(msg);
        ctx.fireChannelRead(msg);
    }

    /** The case is over: it counts for the ways its heads went. */
    public void endCase() {
        if (relayed > 0 && decoded == 0) {
            inPlaceAllTheWay++;
        } else if (relayed == 0) {
            byNetty++;
        } else {
            both++;
        }
        backInPlace += relayedAfterDecoded ? 1 : 0;
        relayed = 0;
        decoded = 0;
        relayedAfterDecoded = false;
    }

    /** More cases than each minimum went that way. */
    public void assertEveryWay(int inPlace, int netty, int eitherWay, int inPlaceAfterNetty) {
        assertThat(inPlaceAllTheWay).as("cases read in place all the way").isGreaterThan(inPlace);
        assertThat(byNetty).as("cases read by Netty's decoder only").isGreaterThan(netty);
        assertThat(both).as("cases with messages read either way").isGreaterThan(eitherWay);
        assertThat(backInPlace).as("cases with a message read in place after one read by Netty's decoder")
                .isGreaterThan(inPlaceAfterNetty);
    }
}
