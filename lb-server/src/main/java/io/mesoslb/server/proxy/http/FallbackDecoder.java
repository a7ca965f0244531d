package io.mesoslb.server.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.util.List;

/**
 * Netty's HTTP/1 decoder of one direction, for the messages an {@link InPlaceDecoder} does not read.
 * It is never in a pipeline: the in-place decoder calls it with its own buffer, one message at a time.
 */
public interface FallbackDecoder {
    /**
     * One step of Netty's decoding, as its own {@code callDecode} loop would take it
     * ({@code decode}, which {@code HttpObjectDecoder} keeps protected), or, once the connection
     * closed, its last ({@code decodeLast}).
     */
    void step(ChannelHandlerContext ctx, ByteBuf in, List<Object> out, boolean closed) throws Exception;

    /**
     * The decoder leaves with its owner and frees what it holds (its line buffer): the
     * {@code ByteToMessageDecoder}'s own, which has no buffered bytes to hand on, as none reach it but the owner's.
     */
    void handlerRemoved(ChannelHandlerContext ctx) throws Exception;
}
