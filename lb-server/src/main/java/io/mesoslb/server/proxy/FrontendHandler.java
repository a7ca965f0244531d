package io.mesoslb.server.proxy;

import io.mesoslb.core.BackendState;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.RouteTableHolder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, and the exchange in flight on it.
 *
 * <p>Requests are handled one at a time: once a request has been read completely the connection
 * stops reading until its response has been relayed, so pipelined requests wait, in order, in the
 * socket and in the {@code FlowControlHandler} before this handler. While a request is streamed
 * each side reads only while the other can take more ({@code autoRead} follows the peer's
 * writability), so no body is ever held in full.
 *
 * <p>Everything here, including the backend connection, runs on this channel's event loop.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter implements ChannelFutureListener {
    private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);
    /** User event: the server is shutting down; finish the current exchange, then close. */
    static final Object DRAIN = new Object() {
        @Override
        public String toString() {
            return "DRAIN";
        }
    };

    private enum Phase {
        /** Between requests. */
        IDLE,
        /** Request head routed; waiting for a backend connection, not reading the body yet. */
        CONNECTING,
        /** Relaying the request body and/or the response. */
        PROXYING,
        /** Answered without a backend; dropping the rest of the request, then IDLE. */
        DISCARDING,
        /** Switched protocols: raw bytes both ways until either side closes. */
        TUNNEL,
        CLOSED
    }

    private final RouteTableHolder routes;
    private final BackendPools pools;
    private final ProxySettings settings;
    private final BackendOutcomes outcomes;
    private final Runnable resumeReading = this::resumeReading;

    private ChannelHandlerContext ctx;
    private LoopBackendPool pool;
    private ForwardedHeaders forwarded;
    private Phase phase = Phase.IDLE;

    // The exchange in flight; cleared by endExchange().
    private HttpRequest pendingHead;
    private Channel connecting;
    private Route route;
    private BackendState target;
    private int attempts;
    private BackendHandler backend;
    private HttpVersion clientVersion = HttpVersion.HTTP_1_1;
    private boolean clientKeepAlive;
    private boolean requestHasBody;
    private boolean headRequest;
    private boolean upgradeRequested;
    private boolean requestComplete;
    private boolean interimResponse;
    private boolean responseStarted;
    private boolean responseComplete;
    private boolean backendReusable;
    private boolean closeAfterResponse;
    private boolean flushBackend;
    private boolean flushFrontend;
    private boolean draining;
    private ProxyStatus status;

    FrontendHandler(RouteTableHolder routes, BackendPools pools, ProxySettings settings, BackendOutcomes outcomes) {
        this.routes = routes;
        this.pools = pools;
        this.settings = settings;
        this.outcomes = outcomes;
    }

    /** How the last exchange on this connection ended, or null while none has. */
    ProxyStatus lastStatus() {
        return status;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.pool = pools.forLoop(ctx.channel().eventLoop());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        forwarded = new ForwardedHeaders(ctx.channel());
        ctx.fireChannelActive();
    }

    // ---------------------------------------------------------------- client -> proxy

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        switch (phase) {
            case IDLE:
                if (msg instanceof HttpRequest) {
                    startRequest((HttpRequest) msg);
                } else {
                    ReferenceCountUtil.release(msg);
                }
                break;
            case PROXYING:
                if (msg instanceof HttpContent) {
                    requestContent((HttpContent) msg);
                } else {
                    ReferenceCountUtil.release(msg);
                }
                break;
            case DISCARDING:
                boolean last = msg instanceof LastHttpContent;
                ReferenceCountUtil.release(msg);
                if (last) {
                    phase = Phase.IDLE;
                    if (draining) {
                        closeAfterFlush();
                    }
                }
                break;
            case TUNNEL:
                if (msg instanceof ByteBuf && backend != null) {
                    backend.channel().write(msg, backend.channel().voidPromise());
                    flushBackend = true;
                } else {
                    ReferenceCountUtil.release(msg);
                }
                break;
            default:
                ReferenceCountUtil.release(msg);
        }
    }

    private void startRequest(HttpRequest req) {
        if (req.decoderResult().isFailure()) {
            ReferenceCountUtil.release(req);
            clientKeepAlive = false;
            Throwable cause = req.decoderResult().cause();
            reject(ProxyStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST,
                    "bad request: " + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()));
            return;
        }
        clientVersion = req.protocolVersion();
        clientKeepAlive = HttpUtil.isKeepAlive(req);
        headRequest = HttpMethod.HEAD.equals(req.method());
        requestHasBody = HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0;
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (host == null || host.isEmpty()) {
            reject(ProxyStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST, "bad request: missing Host header");
            return;
        }
        RouteTable table = routes.current();
        Route r = table.lookup(host);
        if (r == null && settings.defaultApp() != null) {
            r = table.routeForApp(settings.defaultApp());
        }
        if (r == null) {
            reject(ProxyStatus.NO_ROUTE, HttpResponseStatus.NOT_FOUND, "no route for host " + host);
            return;
        }
        BackendState first = r.select();
        if (first == null) {
            reject(ProxyStatus.NO_BACKEND, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "no backend available for app " + r.appId());
            return;
        }
        upgradeRequested = isUpgrade(req.headers());
        HopByHopHeaders.strip(req.headers(), upgradeRequested);
        forwarded.applyToRequest(req.headers(), clientVersion, host);
        req.setProtocolVersion(HttpVersion.HTTP_1_1);
        pendingHead = req;
        route = r;
        attempts = 0;
        status = null;
        phase = Phase.CONNECTING;
        updateFrontendRead();
        connectTo(first);
    }

    private static boolean isUpgrade(HttpHeaders headers) {
        return headers.contains(HttpHeaderNames.UPGRADE)
                && headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    private void requestContent(HttpContent content) {
        if (requestComplete || backend == null) {
            ReferenceCountUtil.release(content);
            return;
        }
        if (content.decoderResult().isFailure()) {
            // A broken chunk, or the client went away mid-body: the backend must not see it as complete.
            ReferenceCountUtil.release(content);
            failExchange(ProxyStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST, "bad request: malformed body");
            return;
        }
        Channel out = backend.channel();
        if (!(content instanceof LastHttpContent)) {
            out.write(content, out.voidPromise());
            flushBackend = true;
            return;
        }
        out.writeAndFlush(content, out.voidPromise());
        flushBackend = false;
        requestComplete = true;
        updateFrontendRead();
        if (!responseStarted) {
            backend.armResponseTimeout();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (flushBackend) {
            flushBackend = false;
            if (backend != null) {
                backend.channel().flush();
            }
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!ctx.channel().isWritable()) {
            ctx.flush();
        }
        // Read again after the flush: it may have drained the buffer, and fired (nested) the opposite event.
        if (backend != null) {
            backend.channel().config().setAutoRead(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    // ---------------------------------------------------------------- connecting

    private void connectTo(BackendState state) {
        target = state;
        attempts++;
        BackendHandler pooled = pool.pollIdle(state.backend());
        if (pooled != null) {
            attach(pooled);
            return;
        }
        ChannelFuture f = pool.connect(state.backend());
        connecting = f.channel();
        f.addListener(this);
    }

    /** A backend connect finished. */
    @Override
    public void operationComplete(ChannelFuture f) {
        if (f.channel() != connecting || phase != Phase.CONNECTING) {
            // The client left, or this exchange moved on, while the connect was in flight.
            if (f.isSuccess()) {
                f.channel().close();
            }
            return;
        }
        connecting = null;
        if (f.isSuccess()) {
            attach(f.channel().pipeline().get(BackendHandler.class));
        } else {
            connectFailed(f.cause());
        }
    }

    private void connectFailed(Throwable cause) {
        ProxyStatus failure = cause instanceof ConnectTimeoutException ? ProxyStatus.CONNECT_TIMEOUT
                : ProxyStatus.CONNECT_FAILED;
        log.debug("{}: connect to {} failed: {}", ctx.channel(), target, cause.toString());
        outcomes.failed(target, failure);
        // Retry seam: nothing of the request has been written yet, so another backend may take it.
        if (attempts <= settings.connectRetries()) {
            BackendState next = route.select(target.backend());
            if (next != null && !next.backend().equals(target.backend())) {
                connectTo(next);
                return;
            }
        }
        ReferenceCountUtil.release(pendingHead);
        pendingHead = null;
        if (failure == ProxyStatus.CONNECT_TIMEOUT) {
            reject(failure, HttpResponseStatus.GATEWAY_TIMEOUT, "timed out connecting to a backend of app " + route.appId());
        } else {
            reject(failure, HttpResponseStatus.BAD_GATEWAY, "could not connect to a backend of app " + route.appId());
        }
    }

    private void attach(BackendHandler b) {
        backend = b;
        b.attach(this);
        phase = Phase.PROXYING;
        HttpRequest head = pendingHead;
        pendingHead = null;
        boolean expectContinue = HttpUtil.is100ContinueExpected(head);
        Channel out = b.channel();
        out.write(head, out.voidPromise());
        flushBackend = true;
        if (expectContinue) {
            // The client sends its body only after the backend's 100, so the backend must answer now.
            b.armResponseTimeout();
        }
        out.config().setAutoRead(ctx.channel().isWritable());
        // May deliver the body (or the end of a body-less request) at once, from FlowControlHandler.
        updateFrontendRead();
        if (flushBackend && backend != null) {
            flushBackend = false;
            backend.channel().flush();
        }
    }

    // ---------------------------------------------------------------- backend -> client

    /** Everything the backend connection reads while it serves this connection. */
    void fromBackend(Object msg) {
        if (phase == Phase.TUNNEL) {
            if (msg instanceof ByteBuf) {
                ctx.write(msg, ctx.voidPromise());
                flushFrontend = true;
            } else {
                ReferenceCountUtil.release(msg);
            }
        } else if (msg instanceof HttpResponse) {
            responseHead((HttpResponse) msg);
        } else if (msg instanceof HttpContent) {
            responseContent((HttpContent) msg);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void responseHead(HttpResponse response) {
        if (response.decoderResult().isFailure() || phase != Phase.PROXYING) {
            ReferenceCountUtil.release(response);
            failExchange(ProxyStatus.BACKEND_RESET, HttpResponseStatus.BAD_GATEWAY, "invalid response from backend");
            return;
        }
        int code = response.status().code();
        if (code == 101 && upgradeRequested && requestComplete) {
            startTunnel(response);
            return;
        }
        if (code >= 100 && code < 200 && code != 101) {
            interimResponse = true;
            HopByHopHeaders.strip(response.headers(), false);
            ctx.write(response, ctx.voidPromise());
            flushFrontend = true;
            return;
        }
        if (code == 101) {
            failExchange(ProxyStatus.BACKEND_RESET, HttpResponseStatus.BAD_GATEWAY, "unexpected 101 from backend");
            return;
        }
        responseStarted = true;
        backend.cancelResponseTimeout();
        backendReusable = HttpUtil.isKeepAlive(response);
        HopByHopHeaders.strip(response.headers(), false);
        ForwardedHeaders.applyToResponse(response);
        boolean bodyless = headRequest || code == 204 || code == 304;
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        boolean framed = bodyless || chunked || HttpUtil.isContentLengthSet(response);
        if (clientVersion.minorVersion() == 0) {
            response.setProtocolVersion(HttpVersion.HTTP_1_0);
            if (chunked && !bodyless) {
                // HTTP/1.0 has no chunked coding: send the body raw and mark its end by closing.
                HttpUtil.setTransferEncodingChunked(response, false);
                framed = false;
            }
        }
        closeAfterResponse = draining || !clientKeepAlive || !framed;
        if (closeAfterResponse) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (clientVersion.minorVersion() == 0) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ctx.write(response, ctx.voidPromise());
        flushFrontend = true;
    }

    private void responseContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            ReferenceCountUtil.release(content);
            failExchange(ProxyStatus.BACKEND_RESET, HttpResponseStatus.BAD_GATEWAY, "backend response was cut short");
            return;
        }
        if (interimResponse) {
            // The end of a 1xx: the encoder needs it before the final response.
            interimResponse = !(content instanceof LastHttpContent);
            ctx.write(content, ctx.voidPromise());
            flushFrontend = true;
            return;
        }
        if (!responseStarted || responseComplete) {
            ReferenceCountUtil.release(content);
            return;
        }
        ctx.write(content, ctx.voidPromise());
        flushFrontend = true;
        if (content instanceof LastHttpContent) {
            responseComplete = true;
            if (requestComplete) {
                endExchange();
            } else {
                earlyResponse();
            }
        }
    }

    /**
     * The backend answered in full before the client finished sending. Its connection cannot
     * serve another request, and the rest of the client's body has nowhere to go: drop it, so
     * that the client connection can be kept.
     */
    private void earlyResponse() {
        ctx.flush();
        flushFrontend = false;
        outcomes.succeeded(target);
        status = ProxyStatus.SUCCESS;
        releaseBackend(false);
        clearExchange();
        if (closeAfterResponse || draining) {
            closeAfterFlush();
        } else {
            phase = Phase.DISCARDING;
            updateFrontendRead();
        }
    }

    void backendReadComplete() {
        if (flushFrontend) {
            flushFrontend = false;
            ctx.flush();
        }
    }

    void backendWritabilityChanged(boolean writable) {
        if (!writable && backend != null) {
            // This side may stop reading mid-batch, with no read-complete to flush what it wrote.
            backend.channel().flush();
        }
        updateFrontendRead();
    }

    void backendTimedOut() {
        if (!responseStarted && phase == Phase.PROXYING) {
            failExchange(ProxyStatus.BACKEND_TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT,
                    "backend did not respond within " + settings.responseTimeout().toMillis() + " ms");
        }
    }

    /** The backend connection closed while it served this connection. */
    void backendClosed() {
        backend = null;
        if (phase == Phase.TUNNEL) {
            ctx.flush();
            closeAfterFlush();
        } else if (phase == Phase.PROXYING) {
            failExchange(ProxyStatus.BACKEND_RESET, HttpResponseStatus.BAD_GATEWAY,
                    "backend closed the connection before responding");
        }
    }

    // ---------------------------------------------------------------- switching protocols

    private void startTunnel(HttpResponse response) {
        responseStarted = true;
        backend.cancelResponseTimeout();
        HopByHopHeaders.strip(response.headers(), true);
        ForwardedHeaders.applyToResponse(response);
        phase = Phase.TUNNEL;
        ctx.writeAndFlush(response, ctx.voidPromise());
        // Encoders go first: once either decoder is removed it hands on raw bytes it still holds.
        backend.removeHttpEncoder();
        HttpServerCodec codec = ctx.pipeline().get(HttpServerCodec.class);
        codec.removeOutboundHandler();
        ctx.pipeline().remove(codec);
        if (backend != null) {
            backend.removeHttpDecoder();
        }
        if (backend != null) {
            backend.channel().config().setAutoRead(ctx.channel().isWritable());
        }
        updateFrontendRead();
    }

    // ---------------------------------------------------------------- ending

    private void endExchange() {
        status = ProxyStatus.SUCCESS;
        outcomes.succeeded(target);
        releaseBackend(backendReusable);
        ctx.flush();
        flushFrontend = false;
        clearExchange();
        if (closeAfterResponse || draining) {
            closeAfterFlush();
        } else {
            phase = Phase.IDLE;
            // Read the next request only after this call stack, which may belong to the backend, unwinds.
            ctx.executor().execute(resumeReading);
        }
    }

    private void resumeReading() {
        if (phase == Phase.IDLE) {
            updateFrontendRead();
        }
    }

    /** Answers without a backend; keeps the connection when the rest of the request can be skipped. */
    private void reject(ProxyStatus why, HttpResponseStatus code, String text) {
        status = why;
        boolean keep = clientKeepAlive && !requestHasBody && !draining && why != ProxyStatus.BAD_REQUEST;
        clearExchange();
        ChannelFuture written = ctx.writeAndFlush(ErrorResponses.of(code, text, clientVersion, !keep));
        if (keep) {
            phase = Phase.DISCARDING;
            updateFrontendRead();
        } else {
            phase = Phase.CLOSED;
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The exchange failed after a backend was involved: answer if nothing was sent yet, then close. */
    private void failExchange(ProxyStatus why, HttpResponseStatus code, String text) {
        status = why;
        if (target != null && why != ProxyStatus.BAD_REQUEST) {
            outcomes.failed(target, why);
        }
        boolean started = responseStarted;
        releaseBackend(false);
        clearExchange();
        phase = Phase.CLOSED;
        if (started) {
            // Part of the response is out: only closing tells the client it is incomplete.
            ctx.flush();
            ctx.close();
        } else {
            ctx.writeAndFlush(ErrorResponses.of(code, text, clientVersion, true)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void closeAfterFlush() {
        phase = Phase.CLOSED;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void releaseBackend(boolean reuse) {
        BackendHandler b = backend;
        backend = null;
        if (b == null) {
            return;
        }
        b.detach();
        if (reuse && !b.isTunnel()) {
            pool.release(b);
        } else {
            b.channel().close();
        }
    }

    private void clearExchange() {
        if (pendingHead != null) {
            ReferenceCountUtil.release(pendingHead);
            pendingHead = null;
        }
        if (connecting != null) {
            connecting.close();
            connecting = null;
        }
        route = null;
        target = null;
        attempts = 0;
        upgradeRequested = false;
        requestComplete = false;
        interimResponse = false;
        responseStarted = false;
        responseComplete = false;
        backendReusable = false;
        flushBackend = false;
    }

    /** Reads from the client only when the current phase can use what it reads. */
    private void updateFrontendRead() {
        boolean read;
        switch (phase) {
            case IDLE:
            case DISCARDING:
                read = true;
                break;
            case PROXYING:
                read = !requestComplete && backend != null && backend.channel().isWritable();
                break;
            case TUNNEL:
                read = backend != null && backend.channel().isWritable();
                break;
            default:
                read = false;
        }
        ctx.channel().config().setAutoRead(read);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == DRAIN) {
            draining = true;
            if (phase == Phase.IDLE) {
                closeAfterFlush();
            }
            return;
        }
        if (evt instanceof IdleStateEvent) {
            // While a backend is still working on a complete request, the response timeout decides.
            boolean awaitingBackend = (phase == Phase.CONNECTING)
                    || (phase == Phase.PROXYING && requestComplete && !responseStarted);
            if (!awaitingBackend) {
                log.debug("{}: closing idle client connection", ctx.channel());
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (phase != Phase.IDLE && phase != Phase.CLOSED && phase != Phase.DISCARDING && status == null) {
            status = ProxyStatus.CLIENT_CLOSED;
        }
        phase = Phase.CLOSED;
        releaseBackend(false);
        clearExchange();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{}: client connection failed", ctx.channel(), cause);
        ctx.close();
    }
}
