package io.mesoslb.server.net;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol.AddressFamily;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the PROXY protocol header (v1 text or v2 binary) that a layer-4 balancer in front of the
 * listener sends first on every connection, records the client's address in
 * {@link ClientAddress#ATTR}, and takes itself and the decoder out of the pipeline so the rest of
 * the connection costs nothing. Add it first in the pipeline of a listener that expects PROXY
 * headers; a connection that does not start with a valid header is closed.
 */
@Sharable
public final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {
    public static final ProxyProtocolHandler INSTANCE = new ProxyProtocolHandler();

    private static final Logger log = LoggerFactory.getLogger(ProxyProtocolHandler.class);

    private ProxyProtocolHandler() {
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.pipeline().addBefore(ctx.name(), null, new HAProxyMessageDecoder());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            InetSocketAddress source = sourceOf(header);
            if (source != null) {
                ctx.channel().attr(ClientAddress.ATTR).set(source);
            }
        } finally {
            header.release();
        }
        // The decoder removes itself once it has produced the header; any bytes that followed the
        // header in the same read then flow past this point, so step aside first.
        ctx.pipeline().remove(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof HAProxyProtocolException || cause.getCause() instanceof HAProxyProtocolException) {
            log.debug("closing {}: bad PROXY protocol header: {}", ctx.channel().remoteAddress(), cause.getMessage());
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    /** The proxied client, or null for LOCAL commands (the balancer's own health checks) and non-IP families. */
    static InetSocketAddress sourceOf(HAProxyMessage header) {
        if (header.command() != HAProxyCommand.PROXY) {
            return null;
        }
        AddressFamily family = header.proxiedProtocol().addressFamily();
        if (family != AddressFamily.AF_IPv4 && family != AddressFamily.AF_IPv6) {
            return null;
        }
        byte[] bytes = IpLiteral.parse(header.sourceAddress());
        return bytes == null ? null : new InetSocketAddress(IpLiteral.toInetAddress(bytes), header.sourcePort());
    }
}
