package io.mesoslb.server.transport;

import io.mesoslb.core.IpLiteral;
import io.mesoslb.core.CidrList;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol.AddressFamily;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the PROXY protocol header (v1 text or v2 binary) that a layer-4 balancer in front of the
 * listener sends first on every connection, records the client's address in
 * {@link ClientAddress#ATTR}, and takes itself and the decoder out of the pipeline so the rest of
 * the connection costs nothing. Add it first in the pipeline of a listener that expects PROXY
 * headers; a connection that does not start with a valid header is closed.
 *
 * <p>The header is only believed from a peer in the trusted list (the balancer's subnets, like
 * nginx's {@code set_real_ip_from}): anyone else who can reach the port could otherwise claim an
 * allow-listed address. An untrusted peer's header is still read, so the request after it parses,
 * but the connection's client stays the peer.
 */
@Sharable
public final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ProxyProtocolHandler.class);

    private final CidrList trusted;
    private final LongAdder untrusted = new LongAdder();
    private final OncePer warning = new OncePer(Duration.ofMinutes(1));

    /** @param trusted the peers whose PROXY headers are believed */
    public ProxyProtocolHandler(CidrList trusted) {
        this.trusted = trusted;
    }

    /** How many PROXY headers came from peers outside the trusted list, and were not believed. */
    public long untrustedHeaders() {
        return untrusted.sum();
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
            if (source != null && believes(ctx.channel().remoteAddress(), source)) {
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

    private boolean believes(SocketAddress peer, InetSocketAddress claimed) {
        if (peer instanceof InetSocketAddress isa && trusted.contains(isa.getAddress())) {
            return true;
        }
        untrusted.increment();
        if (warning.due()) {
            log.warn("PROXY header from {}, which is not in proxy-protocol-trusted: its client {} is not believed,"
                    + " the peer is the client ({} such headers so far; further ones this minute are logged at debug)",
                    peer, claimed.getAddress().getHostAddress(), untrusted.sum());
        } else {
            log.debug("PROXY header from untrusted peer {} not believed (it claimed {})", peer, claimed);
        }
        return false;
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
