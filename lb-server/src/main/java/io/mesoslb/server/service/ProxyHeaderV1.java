package io.mesoslb.server.service;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The PROXY protocol v1 line a backend gets first when its port asks for it ({@code SEND_PROXY}):
 * who the client is and which address it reached, as HAProxy's {@code send-proxy} writes it.
 */
final class ProxyHeaderV1 {
    private ProxyHeaderV1() {
    }

    static ByteBuf of(Channel client, Channel origin, ByteBufAllocator alloc) {
        return alloc.buffer(108).writeBytes(line(client.remoteAddress(), client.localAddress())
                .getBytes(StandardCharsets.US_ASCII));
    }

    static String line(Object source, Object destination) {
        if (!(source instanceof InetSocketAddress src) || !(destination instanceof InetSocketAddress dst)
                || src.getAddress() == null || dst.getAddress() == null
                || (src.getAddress() instanceof Inet4Address) != (dst.getAddress() instanceof Inet4Address)) {
            return "PROXY UNKNOWN\r\n";
        }
        String family = src.getAddress() instanceof Inet4Address ? "TCP4" : "TCP6";
        return "PROXY " + family + " " + NetUtil.toAddressString(src.getAddress()) + " "
                + NetUtil.toAddressString(dst.getAddress()) + " " + src.getPort() + " " + dst.getPort() + "\r\n";
    }
}
