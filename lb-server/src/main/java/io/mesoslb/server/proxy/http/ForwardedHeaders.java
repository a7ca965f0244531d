package io.mesoslb.server.proxy.http;

import io.mesoslb.server.observe.ClientIdentity;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The {@code X-Forwarded-*} and {@code Via} headers for one client connection, with the
 * per-connection values worked out once when it opens.
 */
public final class ForwardedHeaders {
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString HTTPS = AsciiString.cached("https");
    private static final AsciiString VIA_11 = AsciiString.cached("1.1 mesos-lb");
    private static final AsciiString VIA_10 = AsciiString.cached("1.0 mesos-lb");

    private final AsciiString proto;
    private final String localPort;

    /** @param tls whether the client connected over TLS */
    public ForwardedHeaders(Channel frontend, boolean tls) {
        this.proto = tls ? HTTPS : HTTP;
        SocketAddress local = frontend.localAddress();
        this.localPort = local instanceof InetSocketAddress ? Integer.toString(((InetSocketAddress) local).getPort()) : "";
    }

    /**
     * Adds this hop to a request about to go to a backend. A header the client sent is replaced;
     * one it did not send (the usual case) is added without looking for it first. From a trusted
     * proxy (an ELB terminating TLS) the scheme, port and host it reports are the client's, and are
     * kept: replaced by this hop's plain http, an application behind would redirect https users to
     * https forever.
     *
     * @param scanned        what {@link HeaderScan#scan} found in these headers
     * @param host           the client's Host value
     * @param forwardedFor   the client and the trusted proxies it came through (see {@link ClientIdentity})
     * @param trustedProxy   whether the request came from a trusted proxy
     */
    public void applyToRequest(HttpHeaders headers, int scanned, HttpVersion clientVersion, String host,
                        String forwardedFor, boolean trustedProxy) {
        put(headers, scanned, HeaderScan.HAS_X_FORWARDED_FOR, HeaderScan.X_FORWARDED_FOR, forwardedFor);
        int kept = trustedProxy ? scanned : 0;
        if ((kept & HeaderScan.HAS_X_FORWARDED_PROTO) == 0) {
            put(headers, scanned, HeaderScan.HAS_X_FORWARDED_PROTO, HeaderScan.X_FORWARDED_PROTO, proto);
        }
        if ((kept & HeaderScan.HAS_X_FORWARDED_PORT) == 0) {
            put(headers, scanned, HeaderScan.HAS_X_FORWARDED_PORT, HeaderScan.X_FORWARDED_PORT, localPort);
        }
        if ((kept & HeaderScan.HAS_X_FORWARDED_HOST) == 0) {
            put(headers, scanned, HeaderScan.HAS_X_FORWARDED_HOST, HeaderScan.X_FORWARDED_HOST, host);
        }
        appendVia(headers, scanned, clientVersion);
    }

    /**
     * Adds this hop to a response about to go to the client.
     *
     * @param scanned what {@link HeaderScan#scan} found in its headers
     */
    public static void applyToResponse(HttpMessage response, int scanned) {
        appendVia(response.headers(), scanned, response.protocolVersion());
    }

    private static void put(HttpHeaders headers, int scanned, int bit, AsciiString name, CharSequence value) {
        if ((scanned & bit) != 0) {
            headers.set(name, value);
        } else {
            RelayedHeaders.addOwnField(headers, name, value);
        }
    }

    private static void appendVia(HttpHeaders headers, int scanned, HttpVersion receivedVersion) {
        AsciiString via = receivedVersion.minorVersion() == 0 ? VIA_10 : VIA_11;
        String prior = (scanned & HeaderScan.HAS_VIA) != 0 ? headers.get(HttpHeaderNames.VIA) : null;
        if (prior == null || prior.isEmpty()) {
            put(headers, scanned, HeaderScan.HAS_VIA, HttpHeaderNames.VIA, via);
        } else {
            headers.set(HttpHeaderNames.VIA, prior + ", " + via);
        }
    }
}
