package io.mesoslb.server.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Protocol upgrades ({@code Upgrade}/{@code 101 Switching Protocols}, e.g. WebSocket): after the
 * 101 both connections carry raw bytes, so each loses its HTTP codec.
 */
final class UpgradeTunnel {
    private UpgradeTunnel() {
    }

    /**
     * True when the request asks to switch protocols.
     *
     * @param connection what {@link HopByHopHeaders#connection} read from {@code headers}
     */
    static boolean isRequested(HttpHeaders headers, int connection) {
        return (connection & HopByHopHeaders.UPGRADE) != 0 && headers.contains(HttpHeaderNames.UPGRADE);
    }

    /** Makes the backend's 101 fit for the client: its upgrade headers stay, other hop-by-hop ones go. */
    static void prepareResponse(HttpResponse response) {
        HopByHopHeaders.strip(response.headers(), true);
        ForwardedHeaders.applyToResponse(response);
    }

    /**
     * Takes the HTTP codec out of the client's pipeline. Its encoder goes first: once the decoder is
     * removed it hands on raw bytes it still holds, and those must not be encoded.
     */
    static void removeClientCodec(ChannelHandlerContext client) {
        HttpServerCodec codec = client.pipeline().get(HttpServerCodec.class);
        codec.removeOutboundHandler();
        client.pipeline().remove(codec);
    }
}
