package io.mesoslb.server.proxy.tunnel;

import io.mesoslb.server.proxy.client.ClientChannelInitializer;
import io.mesoslb.server.proxy.http.ForwardedHeaders;
import io.mesoslb.server.proxy.http.HeaderScan;
import io.mesoslb.server.proxy.http.HopByHopHeaders;
import io.mesoslb.server.proxy.origin.OriginResponseReceiver;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponse;
import java.util.Queue;

/**
 * Protocol upgrades ({@code Upgrade}/{@code 101 Switching Protocols}, e.g. WebSocket): after the
 * 101 both connections carry raw bytes. The HTTP handlers leave both pipelines and a
 * {@link TunnelRelay} pair takes their place, so nothing HTTP is left on the path of the bytes.
 */
public final class TunnelSwitch {
    private TunnelSwitch() {
    }

    /**
     * True when the request asks to switch protocols.
     *
     * @param connection what {@link HopByHopHeaders#connection} read from the request's headers
     */
    public static boolean isRequested(int connection) {
        return (connection & HopByHopHeaders.UPGRADE) != 0 && (connection & HeaderScan.HAS_UPGRADE) != 0;
    }

    /**
     * Turns both connections into a tunnel, once the 101 has been written to the client and the
     * client's request handlers have left its pipeline.
     *
     * @param origin    the backend connection's handler, which leaves its pipeline
     * @param held      what the proxy read from the client after the upgrade request; handed on
     * @param idleNanos the tunnel closes when no byte moved either way for this long
     */
    public static void install(Channel client, OriginResponseReceiver origin, Queue<Object> held, long idleNanos) {
        Channel originChannel = origin.channel();
        TunnelRelay fromClient = new TunnelRelay(idleNanos, true, TunnelObserver.NONE);
        TunnelRelay fromOrigin = new TunnelRelay(0, false, TunnelObserver.NONE);
        TunnelRelay.pair(fromClient, fromOrigin);
        // Relays in first, HTTP handlers out after: a decoder that leaves hands on the raw bytes it
        // still holds, which must reach a relay. Encoders go before decoders, so those bytes are not encoded.
        ChannelHandler originDecoder = origin.handOver();
        originChannel.pipeline().addLast(fromOrigin);
        ChannelPipeline p = client.pipeline();
        p.addLast(fromClient);
        Object msg;
        while ((msg = held.poll()) != null) {
            fromClient.relay(msg);
        }
        ClientChannelInitializer.removeHttp1Codec(p);
        originChannel.pipeline().remove(originDecoder);
        fromClient.start();
        fromOrigin.start();
    }

    /**
     * Relays raw bytes between two connected channels from the first byte (a TCP service port), on
     * their shared event loop. Neither may have other inbound handlers left; each starts reading once
     * the other can take what it reads.
     *
     * @param held         what was read from the client before the backend was connected; handed on
     * @param clientSentFin the client's FIN came before the backend was connected
     * @param idleNanos     the tunnel closes when no byte moved either way for this long
     */
    public static void join(Channel client, Channel origin, Queue<Object> held, boolean clientSentFin, long idleNanos,
                            TunnelObserver observer) {
        TunnelRelay fromClient = new TunnelRelay(idleNanos, true, observer);
        TunnelRelay fromOrigin = new TunnelRelay(0, false, observer);
        TunnelRelay.pair(fromClient, fromOrigin);
        origin.pipeline().addLast(fromOrigin);
        client.pipeline().addLast(fromClient);
        Object msg;
        while ((msg = held.poll()) != null) {
            fromClient.relay(msg);
        }
        origin.flush();
        if (clientSentFin) {
            fromClient.inputShutdown();
        }
        fromClient.start();
        fromOrigin.start();
    }

    /** Makes the backend's 101 fit for the client: its upgrade headers stay, other hop-by-hop ones go. */
    public static void prepareResponse(HttpResponse response) {
        int scanned = HeaderScan.scan(response.headers());
        HopByHopHeaders.strip(response.headers(), scanned, true);
        ForwardedHeaders.applyToResponse(response, scanned);
    }
}
