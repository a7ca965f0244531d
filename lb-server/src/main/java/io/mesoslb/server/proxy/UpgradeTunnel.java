package io.mesoslb.server.proxy;

import io.netty.channel.ChannelHandlerContext;
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
     * @param connection what {@link HopByHopHeaders#connection} read from the request's headers
     */
    static boolean isRequested(int connection) {
        return (connection & HopByHopHeaders.UPGRADE) != 0 && (connection & HeaderScan.HAS_UPGRADE) != 0;
    }

    /** Makes the backend's 101 fit for the client: its upgrade headers stay, other hop-by-hop ones go. */
    static void prepareResponse(HttpResponse response) {
        int scanned = HeaderScan.scan(response.headers());
        HopByHopHeaders.strip(response.headers(), scanned, true);
        ForwardedHeaders.applyToResponse(response, scanned);
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
