package io.mesoslb.server.transport;

import io.mesoslb.core.IpLiteral;
import io.mesoslb.core.CidrList;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * Decides who the client of a request really is.
 *
 * <p>The starting point is the connection's peer, or the source a PROXY protocol header reported
 * (see {@link ProxyProtocolHandler}). When that address is one of the trusted proxies, the
 * {@code X-Forwarded-For} chain is walked from the right, and the first address that is not a
 * trusted proxy is the client. Entries left of it were written by parties we do not trust, so they
 * are ignored: anyone can send a forged {@code X-Forwarded-For}. With no trusted proxies configured,
 * headers are never parsed.
 *
 * <p>An entry that is not an address stops the walk, as in nginx's realip, but the client is then
 * unknown (null), where nginx would settle on the last trusted hop: a client that writes garbage
 * for its trusted proxy to pass on must not be taken for that proxy, whom an allow-list of our own
 * networks admits.
 */
public final class ClientAddressResolver {
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    /** Stands for an unknown client in the X-Forwarded-For sent on (as RFC 7239's {@code for=unknown}). */
    static final String UNKNOWN = "unknown";

    private final CidrList trustedProxies;

    /** @param trustedProxies the proxies allowed to report the client address; empty trusts none */
    public ClientAddressResolver(CidrList trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    /**
     * The client of a request received on {@code channel} with these headers; null if the channel has
     * no IP peer, or a trusted proxy passed on an entry that is not an address.
     */
    public InetAddress resolve(Channel channel, HttpHeaders headers) {
        InetSocketAddress proxied = channel.attr(ClientAddress.ATTR).get();
        InetAddress direct = proxied != null ? proxied.getAddress() : peerOf(channel.remoteAddress());
        if (direct == null || trustedProxies.isEmpty() || !headers.contains(X_FORWARDED_FOR)) {
            return direct;
        }
        return resolve(direct, headers.getAll(X_FORWARDED_FOR));
    }

    /**
     * @param direct     the peer (or PROXY protocol source) of the connection
     * @param forwarded  the {@code X-Forwarded-For} header values in the order received
     * @return the client, or null when the chain holds a non-address where the client should be
     */
    public InetAddress resolve(InetAddress direct, List<String> forwarded) {
        return walk(direct, forwarded, null);
    }

    /**
     * The client, and the {@code X-Forwarded-For} value to pass on: the client followed by the
     * trusted proxies it came through, ending with {@code direct}. Entries left of the client are
     * dropped, so the first entry a backend sees is always the client this resolver settled on; an
     * unknown client is {@value #UNKNOWN} there, never the non-address as received (a lenient parser
     * might read {@code 127.1} as loopback) nor an address made up for it.
     *
     * @param directText {@code direct} as text, which usually ends the value
     */
    public Resolution resolveForwarding(InetAddress direct, String directText, List<String> forwarded) {
        if (direct == null || forwarded.isEmpty() || !trustedProxies.contains(direct)) {
            return new Resolution(direct, directText);
        }
        StringBuilder chain = new StringBuilder(64).append(directText);
        InetAddress client = walk(direct, forwarded, chain);
        return new Resolution(client, chain.toString());
    }

    /**
     * @param client       who the client is; null when unknown
     * @param forwardedFor the {@code X-Forwarded-For} value to send on
     */
    public record Resolution(InetAddress client, String forwardedFor) {
    }

    /**
     * Walks the chain from the right; prepends every hop it accepts to {@code chain} when given.
     * Empty entries ({@code "a, , b"}) carry nothing and are skipped.
     */
    private InetAddress walk(InetAddress direct, List<String> forwarded, StringBuilder chain) {
        if (direct == null || forwarded.isEmpty() || !trustedProxies.contains(direct)) {
            return direct;
        }
        InetAddress lastTrusted = direct;
        for (int v = forwarded.size() - 1; v >= 0; v--) {
            String value = forwarded.get(v);
            int end = value.length();
            while (end >= 0) {
                int comma = value.lastIndexOf(',', end - 1);
                String entry = value.substring(comma + 1, end).strip();
                end = comma;
                if (entry.isEmpty()) {
                    continue;
                }
                byte[] bytes = parseEntry(entry);
                if (bytes == null) {
                    if (chain != null) {
                        chain.insert(0, ", ").insert(0, UNKNOWN);
                    }
                    return null;
                }
                InetAddress hop = IpLiteral.toInetAddress(bytes);
                if (chain != null) {
                    chain.insert(0, ", ").insert(0, NetUtil.toAddressString(hop));
                }
                if (!trustedProxies.contains(bytes)) {
                    return hop;
                }
                lastTrusted = hop;
            }
        }
        return lastTrusted;
    }

    /** True when {@code address} is one of the trusted proxies. */
    public boolean trusts(InetAddress address) {
        return trustedProxies.contains(address);
    }

    /** One X-Forwarded-For entry: an address, optionally with a port ({@code 1.2.3.4:80}, {@code [::1]:80}). */
    static byte[] parseEntry(String entry) {
        String addr = entry;
        if (entry.charAt(0) == '[') {
            int close = entry.indexOf(']');
            if (close < 0) {
                return null;
            }
            addr = entry.substring(1, close);
        } else {
            int colon = entry.indexOf(':');
            if (colon >= 0 && entry.indexOf(':', colon + 1) < 0) {
                addr = entry.substring(0, colon);
            }
        }
        return IpLiteral.parse(addr);
    }

    private static InetAddress peerOf(SocketAddress address) {
        return address instanceof InetSocketAddress isa ? isa.getAddress() : null;
    }
}
