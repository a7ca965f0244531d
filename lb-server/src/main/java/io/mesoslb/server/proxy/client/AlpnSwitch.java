package io.mesoslb.server.proxy.client;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the TLS listener: once the handshake is done, gives the connection the handlers of the
 * protocol ALPN chose, HTTP/1 for a client that chose none. What was read meanwhile follows them.
 */
final class AlpnSwitch extends ApplicationProtocolNegotiationHandler {
    private static final Logger log = LoggerFactory.getLogger(AlpnSwitch.class);

    private final ProtocolChoice choice;

    AlpnSwitch(ProtocolChoice choice) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.choice = choice;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            choice.http2(ctx.pipeline());
        } else {
            choice.http1(ctx.pipeline());
        }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        // Scanners and clients that distrust the certificate fail handshakes all day: not a warning.
        log.debug("{}: TLS handshake failed: {}", ctx.channel(), cause.toString());
        ctx.close();
    }
}
