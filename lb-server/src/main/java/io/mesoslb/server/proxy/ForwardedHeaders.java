package io.mesoslb.server.proxy;

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
final class ForwardedHeaders {
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString HTTPS = AsciiString.cached("https");
    private static final AsciiString VIA_11 = AsciiString.cached("1.1 mesos-lb");
    private static final AsciiString VIA_10 = AsciiString.cached("1.0 mesos-lb");

    private final AsciiString proto;
    private final String localPort;

    /** @param tls whether the client connected over TLS */
    ForwardedHeaders(Channel frontend, boolean tls) {
        this.proto = tls ? HTTPS : HTTP;
        SocketAddress local = frontend.localAddress();
        this.localPort = local instanceof InetSocketAddress ? Integer.toString(((InetSocketAddress) local).getPort()) : "";
    }

    /**
     * Adds this hop to a request about to go to a backend.
     *
     * @param host         the client's Host value
     * @param forwardedFor the client and the trusted proxies it came through (see {@link ClientIdentity})
     */
    void applyToRequest(HttpHeaders headers, HttpVersion clientVersion, String host, String forwardedFor) {
        headers.set(X_FORWARDED_FOR, forwardedFor);
        headers.set(X_FORWARDED_PROTO, proto);
        headers.set(X_FORWARDED_PORT, localPort);
        headers.set(X_FORWARDED_HOST, host);
        appendVia(headers, clientVersion);
    }

    /** Adds this hop to a response about to go to the client. */
    static void applyToResponse(HttpMessage response) {
        appendVia(response.headers(), response.protocolVersion());
    }

    private static void appendVia(HttpHeaders headers, HttpVersion receivedVersion) {
        AsciiString via = receivedVersion.minorVersion() == 0 ? VIA_10 : VIA_11;
        String prior = headers.get(HttpHeaderNames.VIA);
        if (prior == null || prior.isEmpty()) {
            headers.set(HttpHeaderNames.VIA, via);
        } else {
            headers.set(HttpHeaderNames.VIA, prior + ", " + via);
        }
    }
}
