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
    private static final AsciiString VIA_11 = AsciiString.cached("1.1 mesos-lb");
    private static final AsciiString VIA_10 = AsciiString.cached("1.0 mesos-lb");

    private final String clientAddress;
    private final String localPort;

    ForwardedHeaders(Channel frontend) {
        this.clientAddress = hostAddress(frontend.remoteAddress());
        SocketAddress local = frontend.localAddress();
        this.localPort = local instanceof InetSocketAddress ? Integer.toString(((InetSocketAddress) local).getPort()) : "";
    }

    /** Adds this hop to a request about to go to a backend; {@code host} is the client's Host value. */
    void applyToRequest(HttpHeaders headers, HttpVersion clientVersion, String host) {
        String prior = headers.get(X_FORWARDED_FOR);
        headers.set(X_FORWARDED_FOR, prior == null || prior.isEmpty() ? clientAddress : prior + ", " + clientAddress);
        headers.set(X_FORWARDED_PROTO, HTTP);
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

    private static String hostAddress(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return String.valueOf(address);
    }
}
