package io.mesoslb.server.observe;

import io.mesoslb.server.proxy.http.HeaderScan;
import io.mesoslb.server.transport.ClientAddress;
import io.mesoslb.server.transport.ClientAddressResolver;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Who the client of each request on one connection is, and the {@code X-Forwarded-For} value to
 * send for it. The connection's own source (peer or PROXY header) is worked out once; only a
 * request through a trusted proxy that carries {@code X-Forwarded-For} costs more.
 */
public final class ClientIdentity {
    private final ClientAddressResolver resolver;
    private boolean known;
    private InetAddress direct;
    private String directText;
    private boolean directTrusted;
    private InetAddress client;
    private String forwardedFor;

    public ClientIdentity(ClientAddressResolver resolver) {
        this.resolver = resolver;
    }

    /** Settles who sent a request with these headers; read the answer from {@link #client()} and {@link #forwardedFor()}. */
    public void resolve(Channel channel, HttpHeaders headers) {
        if (!known) {
            // By the first request the PROXY header, if any, has been read.
            known = true;
            InetSocketAddress proxied = channel.attr(ClientAddress.ATTR).get();
            SocketAddress source = proxied != null ? proxied : channel.remoteAddress();
            if (source instanceof InetSocketAddress isa && isa.getAddress() != null) {
                direct = isa.getAddress();
                directText = NetUtil.toAddressString(direct);
            } else {
                directText = String.valueOf(source);
            }
            directTrusted = direct != null && resolver.trusts(direct);
        }
        if (!directTrusted || !headers.contains(HeaderScan.X_FORWARDED_FOR)) {
            client = direct;
            forwardedFor = directText;
            return;
        }
        ClientAddressResolver.Resolution r = resolver.resolveForwarding(direct, directText, headers.getAll(HeaderScan.X_FORWARDED_FOR));
        client = r.client();
        forwardedFor = r.forwardedFor();
    }

    /**
     * The client of the last request resolved; null when the connection has no IP peer or a trusted
     * proxy passed on something that is not an address: no allow-list admits null.
     */
    public InetAddress client() {
        return client;
    }

    /** Whether the connection's source is a trusted proxy, whose X-Forwarded-* headers are to be believed. */
    public boolean viaTrustedProxy() {
        return directTrusted;
    }

    /** The X-Forwarded-For value for the last request resolved. */
    public String forwardedFor() {
        return forwardedFor;
    }
}
