package io.mesoslb.server.proxy.exchange;

import io.mesoslb.server.proxy.ProxyStatus;
import io.mesoslb.server.proxy.http.GrpcErrors;
import io.mesoslb.server.proxy.http.HeaderScan;
import io.mesoslb.server.proxy.http.HopByHopHeaders;
import io.mesoslb.server.proxy.http.RequestSyntax;
import io.mesoslb.server.proxy.http.Retries;
import io.mesoslb.server.proxy.tunnel.TunnelSwitch;

import io.mesoslb.core.Route;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;

/**
 * The state of the request/response exchange in flight on one client connection.
 *
 * <p>One instance per connection, reset between requests, so that a request allocates no state
 * of its own. Touched only on the connection's event loop.
 */
public final class ExchangeState {
    /** The route the request was admitted to. */
    public Route route;
    /** The request's {@code Host} header. */
    public String host;
    /** The request head until it is written to a backend. */
    public HttpRequest pendingHead;
    /** The request head while it may be sent again (replayable method, no body); else null. */
    public HttpRequest replayHead;
    public long bodyBytes;
    public int responseCode;
    public boolean upgradeRequested;
    public boolean requestComplete;
    /** A 100 (Continue) went to the client: it sends its body, whatever the final response. */
    public boolean continued;
    public boolean responseStarted;
    public boolean responseComplete;
    public boolean backendReusable;
    /** The client address's hash, for the {@code source} balance mode. */
    public int clientHash;
    /** For a sticky route, the backend token the client's cookie named ("" for none); null otherwise. */
    public String stickyToken;
    /** A gRPC call ({@code content-type: application/grpc*}): the proxy's own failures are answered the gRPC way. */
    public boolean grpc;
    /** The client's deadline for the exchange ({@code grpc-timeout}), 0 for none. */
    public long deadlineNanos;

    // What the client asked for; kept after the exchange ends, until the next request head replaces it.
    public HttpVersion clientVersion = HttpVersion.HTTP_1_1;
    /** What the request's Connection header says, and which headers it has ({@link HeaderScan}). */
    public int requestConnection;
    /** The request's Content-Length, 0 without one. */
    public long contentLength;
    public boolean clientKeepAlive;
    public boolean requestHasBody;
    public boolean closeAfterResponse;

    /** Takes in what the client's request head says about the connection and the body. */
    public void requestHead(HttpRequest req) {
        // Answers go out in a version the client can read: never HTTP/2.0 or HTTP/9.9 to whoever claimed it.
        clientVersion = RequestSyntax.isHttp1(req.protocolVersion()) ? req.protocolVersion() : HttpVersion.HTTP_1_1;
        requestConnection = HopByHopHeaders.ignoringH2cUpgrade(HopByHopHeaders.connection(req.headers()), req.headers());
        clientKeepAlive = HopByHopHeaders.isKeepAlive(clientVersion, requestConnection);
        contentLength = (requestConnection & HeaderScan.HAS_CONTENT_LENGTH) != 0 ? HttpUtil.getContentLength(req, 0L) : 0;
        requestHasBody = ((requestConnection & HeaderScan.HAS_TRANSFER_ENCODING) != 0 && HttpUtil.isTransferEncodingChunked(req))
                || contentLength > 0;
        grpc = (requestConnection & HeaderScan.HAS_CONTENT_TYPE) != 0
                && GrpcErrors.isGrpc(req.headers().get(HttpHeaderNames.CONTENT_TYPE));
        deadlineNanos = (requestConnection & HeaderScan.HAS_GRPC_TIMEOUT) != 0
                ? GrpcErrors.timeoutNanos(req.headers().get(GrpcErrors.GRPC_TIMEOUT)) : 0;
    }

    /**
     * The request asks to switch protocols. RFC 9110 7.8: an HTTP/1.0 request's Upgrade is ignored, as
     * the client cannot switch.
     */
    public boolean asksUpgrade() {
        return clientVersion == HttpVersion.HTTP_1_1 && TunnelSwitch.isRequested(requestConnection);
    }

    /** Holds {@code req} until a backend connection takes it. */
    public void forward(HttpRequest req) {
        pendingHead = req;
        replayHead = Retries.isReplayable(req, requestHasBody) && !(req instanceof ReferenceCounted) ? req : null;
        bodyBytes = 0;
    }

    /** The request head, handed over to whoever writes it; the exchange no longer owns it. */
    public HttpRequest takePendingHead() {
        HttpRequest head = pendingHead;
        pendingHead = null;
        return head;
    }

    public void releasePendingHead() {
        if (pendingHead != null) {
            ReferenceCountUtil.release(pendingHead);
            pendingHead = null;
        }
    }

    /** True when an answer made up by the proxy can leave the connection open for the next request. */
    public boolean keepAfterLocalAnswer(ProxyStatus why, boolean draining) {
        return clientKeepAlive && !requestHasBody && !draining && why != ProxyStatus.BAD_REQUEST;
    }

    /** Forgets the exchange; the client's version and keep-alive stay until the next request head. */
    public void clear() {
        releasePendingHead();
        route = null;
        host = null;
        replayHead = null;
        bodyBytes = 0;
        responseCode = 0;
        upgradeRequested = false;
        requestComplete = false;
        continued = false;
        responseStarted = false;
        responseComplete = false;
        backendReusable = false;
        stickyToken = null;
        clientHash = 0;
        grpc = false;
        deadlineNanos = 0;
    }
}
