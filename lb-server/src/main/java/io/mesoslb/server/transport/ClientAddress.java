package io.mesoslb.server.transport;

import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;

/** Channel attributes that carry what is known about the real client of a connection. */
public final class ClientAddress {
    /**
     * The client's address as reported by a PROXY protocol header; absent when the listener does not
     * take PROXY headers or the header carried no address (a LOCAL health check from the balancer).
     */
    public static final AttributeKey<InetSocketAddress> ATTR = AttributeKey.valueOf("mesoslb.proxyProtocolSource");

    private ClientAddress() {
    }
}
