package io.mesoslb.server.proxy;

import io.mesoslb.core.BackendState;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.server.auth.AuthDecision;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, and the exchange in flight on it: the state machine that relays a
 * request to a backend and its response back. Admission checks live in {@link RequestAdmission},
 * backend connections and retries in {@link BackendConnector}, the exchange's state in
 * {@link Exchange}, protocol switches in {@link UpgradeTunnel}.
 *
 * <p>Requests are handled one at a time. The connection keeps reading (every {@code autoRead}
 * switch costs an {@code epoll_ctl}); a message that arrives before the exchange can use it is
 * held here, in order, and only then does the connection stop reading, until the exchange catches
 * up. So pipelined requests wait, in order, here and in the socket (what the codec decodes from
 * a read after reads stop is held here too). The exception is a little of the request body while the backend is
 * being connected to (usually the empty end of a body-less request, read with its head), which is
 * held without stopping. While a request is streamed each side reads only while the other can take
 * more: the client stops once a message arrives that the backend cannot take, and the backend
 * follows the client's writability, so no body is ever held in full.
 *
 * <p>Everything here, including the backend connection, runs on this channel's event loop.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter implements RequestAdmission.Answers {
    private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);
    /** Request body held while connecting, without suspending reads. */
    static final int CONNECTING_HOLD_BYTES = 16 * 1024;
    /** User event: the server is shutting down; finish the current exchange, then close. */
    static final Object DRAIN = new Drain(0);

    /**
     * User event: the server is shutting down; finish the current exchange, then close. A
     * connection between requests gets {@code idleLingerNanos} to send one more (answered with
     * {@code Connection: close}), so that a request already on its way is not cut off.
     */
    record Drain(long idleLingerNanos) {
    }

    private enum Phase {
        /** Between requests. */
        IDLE,
        /** Request head routed; its credentials are being checked off the event loop. */
        AUTHENTICATING,
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

    private final ProxySettings settings;
    private final ProxyOps ops;
    private final ExchangeObserver observer;
    private final Exchange exchange = new Exchange();
    private final RequestAdmission admission;
    private final BackendConnector connector;
    private final Runnable resumeReading = this::resumeReading;
    /** Messages read before the exchange could take them, oldest first. */
    private final ArrayDeque<Object> held = new ArrayDeque<>(4);
    private int heldBytes;
    /** autoRead is off because of what is held. */
    private boolean readSuspended;
    private boolean resumeScheduled;

    private ChannelHandlerContext ctx;
    private ForwardedHeaders forwarded;
    private RequestHeadTimer headTimer;
    private Deadline exchangeDeadline;
    /** Reader idle: restarted after each read that delivered something (no handler of its own: one hop less per message). */
    private Deadline idle;
    private boolean readInBatch;
    private Phase phase = Phase.IDLE;
    private BackendHandler backend;
    private boolean flushBackend;
    private boolean flushFrontend;
    /** Something was relayed to the client since the last reader-idle event. */
    private boolean relayedSinceIdle;
    private boolean draining;
    private ProxyStatus status;
    /** The request whose credentials are being checked, while AUTHENTICATING. */
    private HttpRequest authenticating;

    FrontendHandler(RouteTableHolder routes, RouteFinder finder, BackendPools pools, ProxySettings settings,
                    BackendOutcomes outcomes, ProxyOps ops, ExchangeObserver observer) {
        this.settings = settings;
        this.ops = ops;
        this.observer = observer;
        this.admission = new RequestAdmission(routes, finder, settings, ops, observer, exchange, this);
        this.connector = new BackendConnector(pools, outcomes, settings.connectRetries(), exchange, this);
    }

    /** True once the server asked this connection to finish; read it on the event loop. */
    boolean isDraining() {
        return draining;
    }

    /** How the last exchange on this connection ended, or null while none has. */
    ProxyStatus lastStatus() {
        return status;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.headTimer = ctx.pipeline().get(RequestHeadTimer.class);
        connector.bind(ctx.channel());
        idle = new Deadline(ctx.executor(), settings.clientIdleTimeout().toNanos(), this::readerIdle);
        if (!settings.requestTimeout().isZero()) {
            exchangeDeadline = new Deadline(ctx.executor(), settings.requestTimeout().toNanos(), this::exchangeTimedOut);
        }
    }

    /** True between requests: a new request head is what this connection waits for. */
    boolean awaitingRequestHead() {
        return phase == Phase.IDLE;
    }

    /** True while the exchange waits for a backend connection. */
    boolean isConnecting() {
        return phase == Phase.CONNECTING;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        forwarded = new ForwardedHeaders(ctx.channel(), ops.tls() != null);
        idle.restart();
        ctx.fireChannelActive();
    }

    // ---------------------------------------------------------------- client -> proxy

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readInBatch = true;
        if (phase == Phase.CLOSED) {
            // Nothing more will be taken; a lingering close reads on and drops what comes.
            ReferenceCountUtil.release(msg);
        } else if (!held.isEmpty() || !canTake(msg)) {
            hold(msg);
        } else {
            take(msg);
        }
    }

    /** True when the current phase can use {@code msg} now. */
    private boolean canTake(Object msg) {
        switch (phase) {
            case AUTHENTICATING:
            case CONNECTING:
                return false;
            case PROXYING:
                return !(msg instanceof HttpRequest) && (backend == null || backend.channel().isWritable());
            case TUNNEL:
                return backend == null || backend.channel().isWritable();
            default:
                return true;
        }
    }

    private void hold(Object msg) {
        held.addLast(msg);
        heldBytes += heldSize(msg);
        boolean smallBodyWhileConnecting = phase == Phase.CONNECTING && msg instanceof HttpContent
                && heldBytes <= CONNECTING_HOLD_BYTES;
        if (!smallBodyWhileConnecting) {
            suspendReads();
        }
    }

    private static int heldSize(Object msg) {
        if (msg instanceof HttpContent) {
            return ((HttpContent) msg).content().readableBytes();
        }
        return msg instanceof ByteBuf ? ((ByteBuf) msg).readableBytes() : 0;
    }

    private void suspendReads() {
        if (!readSuspended) {
            readSuspended = true;
            ctx.channel().config().setAutoRead(false);
        }
    }

    /**
     * Hands on what is held while the exchange can take it, and reads again once nothing is left.
     * Taking a message may move the exchange on (a held request starts the next one).
     */
    private void takeHeld() {
        Object msg;
        while ((msg = held.peekFirst()) != null) {
            if (!canTake(msg)) {
                return;
            }
            held.pollFirst();
            heldBytes -= heldSize(msg);
            take(msg);
        }
        if (readSuspended && phase != Phase.CLOSED) {
            readSuspended = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** Like {@link #takeHeld()}, but after the current call stack (which may be the backend's) unwinds. */
    private void takeHeldLater() {
        if ((readSuspended || !held.isEmpty()) && !resumeScheduled) {
            resumeScheduled = true;
            ctx.executor().execute(resumeReading);
        }
    }

    private void resumeReading() {
        resumeScheduled = false;
        takeHeld();
    }

    private void releaseHeld() {
        Object msg;
        while ((msg = held.pollFirst()) != null) {
            ReferenceCountUtil.release(msg);
        }
        heldBytes = 0;
    }

    private void take(Object msg) {
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
        if (headTimer != null) {
            headTimer.headReceived();
        }
        observer.begin(ctx.channel(), req);
        BackendState first = admission.admit(req);
        if (first != null) {
            forward(req, first);
        }
    }

    @Override
    public void awaitAuthentication(HttpRequest req) {
        // Reads go on being held, as while connecting: nothing of the request moves until the verdict.
        authenticating = req;
        phase = Phase.AUTHENTICATING;
    }

    @Override
    public void authenticationDecided(AuthDecision d) {
        ctx.executor().execute(() -> authenticated(d));
    }

    private void authenticated(AuthDecision d) {
        HttpRequest req = authenticating;
        authenticating = null;
        if (phase != Phase.AUTHENTICATING || req == null) {
            return; // the client left meanwhile
        }
        phase = Phase.IDLE;
        if (!admission.authenticationDecided(d, exchange.route.options().auth())) {
            takeHeldLater();
            return;
        }
        BackendState first = admission.choose(req, exchange.route);
        if (first != null) {
            forward(req, first);
        } else {
            takeHeldLater();
        }
    }

    /** Sends an admitted request on to its first backend. */
    private void forward(HttpRequest req, BackendState first) {
        // RFC 9110 7.8: an HTTP/1.0 request's Upgrade is ignored (stripped below), as the client cannot switch.
        exchange.upgradeRequested = exchange.clientVersion == HttpVersion.HTTP_1_1
                && UpgradeTunnel.isRequested(exchange.requestConnection);
        HopByHopHeaders.strip(req.headers(), exchange.requestConnection, exchange.upgradeRequested);
        if (exchange.clientVersion == HttpVersion.HTTP_1_0 && (exchange.requestConnection & HeaderScan.HAS_EXPECT) != 0) {
            // RFC 9110 10.1.1: an HTTP/1.0 client's 100-continue is to be ignored; forwarded as 1.1,
            // the backend would answer a 100 the client cannot read.
            req.headers().remove(HttpHeaderNames.EXPECT);
        }
        forwarded.applyToRequest(req.headers(), exchange.requestConnection, exchange.clientVersion, exchange.host,
                observer.identity().forwardedFor(), observer.identity().viaTrustedProxy());
        RouteRewrites.request(exchange.route, req);
        req.setProtocolVersion(HttpVersion.HTTP_1_1);
        exchange.forward(req);
        status = null;
        phase = Phase.CONNECTING;
        if (exchangeDeadline != null) {
            exchangeDeadline.start();
        }
        connector.start(first);
    }

    private void requestContent(HttpContent content) {
        if (exchange.requestComplete || backend == null) {
            ReferenceCountUtil.release(content);
            return;
        }
        if (content.decoderResult().isFailure()) {
            // A broken chunk, or the client went away mid-body: the backend must not see it as complete.
            ReferenceCountUtil.release(content);
            failExchange(ProxyStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST, "bad request: malformed body");
            return;
        }
        long maxBody = settings.maxRequestBody();
        if (maxBody > 0 && (exchange.bodyBytes += content.content().readableBytes()) > maxBody) {
            // Chunked, so not known up front: the backend has part of it and its connection must go.
            ReferenceCountUtil.release(content);
            failExchange(ProxyStatus.REQUEST_TOO_LARGE, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body larger than " + maxBody + " bytes");
            return;
        }
        Channel out = backend.channel();
        if (!(content instanceof LastHttpContent)) {
            out.write(content, out.voidPromise());
            flushBackend = true;
            return;
        }
        TrailerFields.strip(((LastHttpContent) content).trailingHeaders());
        out.writeAndFlush(content, out.voidPromise());
        flushBackend = false;
        exchange.requestComplete = true;
        if (exchange.upgradeRequested) {
            // After a 101 the client's next bytes are not HTTP: they must reach the tunnel undecoded.
            suspendReads();
        }
        if (!exchange.responseStarted) {
            backend.armResponseTimeout();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (readInBatch) {
            readInBatch = false;
            idle.restart();
        }
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
            backend.pauseReads(!ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    // ---------------------------------------------------------------- connecting

    /** The connector has a backend connection for the exchange: send it the request. */
    void attach(BackendHandler b) {
        backend = b;
        observer.sentTo(b.backend());
        b.attach(this, exchange.headRequest);
        phase = Phase.PROXYING;
        HttpRequest head = exchange.takePendingHead();
        boolean expectContinue = (exchange.requestConnection & HeaderScan.HAS_EXPECT) != 0
                && HttpUtil.is100ContinueExpected(head);
        Channel out = b.channel();
        out.write(head, out.voidPromise());
        flushBackend = true;
        if (exchange.requestComplete) {
            // A replay: the request had no body, and its end has been read already.
            out.write(LastHttpContent.EMPTY_LAST_CONTENT, out.voidPromise());
            b.armResponseTimeout();
        } else if (expectContinue) {
            // The client sends its body only after the backend's 100, so the backend must answer now.
            b.armResponseTimeout();
        }
        b.pauseReads(!ctx.channel().isWritable());
        // The body, or the end of a body-less request, may be held already.
        takeHeld();
        if (flushBackend && backend != null) {
            flushBackend = false;
            backend.channel().flush();
        }
    }

    /** No backend of the route could be connected to, and no retry is left. */
    void connectGaveUp(ProxyStatus failure) {
        exchange.releasePendingHead();
        String appId = exchange.route.appId();
        if (failure == ProxyStatus.CONNECT_TIMEOUT) {
            reject(failure, HttpResponseStatus.GATEWAY_TIMEOUT, "timed out connecting to a backend of app " + appId);
        } else {
            reject(failure, HttpResponseStatus.BAD_GATEWAY, "could not connect to a backend of app " + appId);
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
        if (code == 101 && exchange.upgradeRequested && exchange.requestComplete) {
            startTunnel(response);
            return;
        }
        if (code >= 100 && code < 200 && code != 101) {
            exchange.interimResponse = true;
            if (!exchange.requestComplete) {
                // A 100 Continue: the client's body comes next, at the client's pace; the clock restarts at its end.
                backend.cancelResponseTimeout();
            }
            if (exchange.clientVersion == HttpVersion.HTTP_1_0) {
                // RFC 9110 15.2: no 1xx to an HTTP/1.0 client, which would take it for the response.
                ReferenceCountUtil.release(response);
                return;
            }
            exchange.continued |= code == 100;
            HopByHopHeaders.strip(response.headers(), false);
            ctx.write(response, ctx.voidPromise());
            flushFrontend = true;
            return;
        }
        if (code == 101) {
            failExchange(ProxyStatus.BACKEND_RESET, HttpResponseStatus.BAD_GATEWAY, "unexpected 101 from backend");
            return;
        }
        exchange.responseStarted = true;
        exchange.responseCode = code;
        int connection = HopByHopHeaders.connection(response.headers());
        exchange.backendReusable = HopByHopHeaders.isKeepAlive(response.protocolVersion(), connection);
        // Final before the body, with no 100 sent: a client that expected one may never send the body
        // (RFC 9110 10.1.1), and dropping that many bytes would take them from its next request.
        boolean bodyMayNotCome = !exchange.requestComplete && !exchange.continued
                && (exchange.requestConnection & HeaderScan.HAS_EXPECT) != 0;
        exchange.closeAfterResponse = ResponseHeads.prepareForClient(response, connection, exchange.clientVersion,
                exchange.clientKeepAlive && !draining && !bodyMayNotCome, exchange.headRequest);
        if (exchange.stickyToken != null) {
            // The backend that answered, which a failed connect may have changed from the one the cookie named.
            StickyCookie.update(response, backend.backend(), exchange.stickyToken);
        }
        RouteRewrites.response(exchange.route, response.headers());
        ctx.write(response, ctx.voidPromise());
        flushFrontend = true;
    }

    private void responseContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            ReferenceCountUtil.release(content);
            failExchange(ProxyStatus.BACKEND_RESET, HttpResponseStatus.BAD_GATEWAY, "backend response was cut short");
            return;
        }
        if (exchange.interimResponse) {
            // The end of a 1xx: the encoder needs it before the final response (unless the 1xx was dropped).
            exchange.interimResponse = !(content instanceof LastHttpContent);
            if (exchange.clientVersion == HttpVersion.HTTP_1_0) {
                ReferenceCountUtil.release(content);
                return;
            }
            ctx.write(content, ctx.voidPromise());
            flushFrontend = true;
            return;
        }
        if (!exchange.responseStarted || exchange.responseComplete) {
            ReferenceCountUtil.release(content);
            return;
        }
        ctx.write(content, ctx.voidPromise());
        flushFrontend = true;
        if (content instanceof LastHttpContent) {
            exchange.responseComplete = true;
            if (exchange.requestComplete) {
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
        connector.responded(exchange.responseCode);
        status = ProxyStatus.SUCCESS;
        releaseBackend(false);
        clearExchange();
        if (exchange.closeAfterResponse || draining) {
            closeAfterFlush();
        } else {
            phase = Phase.DISCARDING;
            takeHeldLater();
        }
    }

    void backendReadComplete() {
        if (flushFrontend) {
            flushFrontend = false;
            relayedSinceIdle = true;
            ctx.flush();
        }
    }

    void backendWritabilityChanged(boolean writable) {
        if (!writable && backend != null) {
            // This side may stop reading mid-batch, with no read-complete to flush what it wrote.
            backend.channel().flush();
        } else if (writable) {
            takeHeld();
        }
    }

    void backendTimedOut() {
        if (phase != Phase.PROXYING) {
            return;
        }
        // Mid-body the 504 cannot be sent any more: failExchange closes the client connection instead.
        failExchange(ProxyStatus.BACKEND_TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT, exchange.responseStarted
                ? "backend sent nothing for " + settings.responseTimeout().toMillis() + " ms mid-response"
                : "backend did not respond within " + settings.responseTimeout().toMillis() + " ms");
    }

    /** The backend connection closed while it served this connection. */
    void backendClosed() {
        backend = null;
        if (phase == Phase.TUNNEL) {
            ctx.flush();
            closeAfterFlush();
        } else if (phase == Phase.PROXYING) {
            if (!exchange.responseStarted && exchange.replayHead != null && replay()) {
                return;
            }
            if (!exchange.responseStarted) {
                connector.closedBeforeResponse();
            }
            failExchange(ProxyStatus.BACKEND_RESET, HttpResponseStatus.BAD_GATEWAY,
                    "backend closed the connection before responding");
        }
    }

    /** Sends a replayable request again after its connection closed before any response. */
    private boolean replay() {
        BackendState next = connector.replayTarget();
        if (next == null) {
            return false;
        }
        exchange.pendingHead = exchange.replayHead;
        phase = Phase.CONNECTING;
        connector.replayTo(next);
        return true;
    }

    /** request-timeout: the whole exchange took too long. */
    private void exchangeTimedOut() {
        String text = "request not completed within " + exchangeDeadline.timeoutMillis() + " ms";
        if (phase == Phase.PROXYING && !exchange.requestComplete) {
            failExchange(ProxyStatus.REQUEST_TIMEOUT, HttpResponseStatus.REQUEST_TIMEOUT, text);
        } else if (phase == Phase.CONNECTING || (phase == Phase.PROXYING && !exchange.responseStarted)) {
            failExchange(ProxyStatus.BACKEND_TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT, text);
        } else if (phase == Phase.PROXYING) {
            // The response is under way but slow (or its reader is): cut it, without blaming the backend.
            failExchange(ProxyStatus.REQUEST_TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT, text);
        }
    }

    // ---------------------------------------------------------------- switching protocols

    private void startTunnel(HttpResponse response) {
        exchange.responseStarted = true;
        if (exchangeDeadline != null) {
            exchangeDeadline.stop();
        }
        backend.cancelResponseTimeout();
        UpgradeTunnel.prepareResponse(response);
        phase = Phase.TUNNEL;
        ctx.writeAndFlush(response, ctx.voidPromise());
        // Encoders go first: once either decoder is removed it hands on raw bytes it still holds.
        backend.removeHttpEncoder();
        UpgradeTunnel.removeClientCodec(ctx);
        if (backend != null) {
            backend.removeHttpDecoder();
        }
        if (backend != null) {
            backend.pauseReads(!ctx.channel().isWritable());
        }
        takeHeld();
    }

    // ---------------------------------------------------------------- ending

    private void endExchange() {
        status = ProxyStatus.SUCCESS;
        connector.responded(exchange.responseCode);
        releaseBackend(exchange.backendReusable);
        ctx.flush();
        flushFrontend = false;
        clearExchange();
        if (exchange.closeAfterResponse || draining) {
            closeAfterFlush();
        } else {
            phase = Phase.IDLE;
            takeHeldLater();
        }
    }

    @Override
    public void reject(ProxyStatus why, HttpResponseStatus code, String text) {
        boolean keep = exchange.keepAfterLocalAnswer(why, draining);
        answer(why, ErrorResponses.of(code, text, exchange.clientVersion, !keep), keep);
    }

    @Override
    public void redirect(HttpResponseStatus code, String location) {
        boolean keep = exchange.keepAfterLocalAnswer(ProxyStatus.REDIRECTED, draining);
        FullHttpResponse response = ErrorResponses.of(code, "moved to " + location, exchange.clientVersion, !keep);
        response.headers().set(HttpHeaderNames.LOCATION, location);
        answer(ProxyStatus.REDIRECTED, response, keep);
    }

    @Override
    public void challenge(String wwwAuthenticate) {
        boolean keep = exchange.keepAfterLocalAnswer(ProxyStatus.UNAUTHORIZED, draining);
        FullHttpResponse response = ErrorResponses.of(HttpResponseStatus.UNAUTHORIZED, "authentication required",
                exchange.clientVersion, !keep);
        response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, wwwAuthenticate);
        answer(ProxyStatus.UNAUTHORIZED, response, keep);
    }

    @Override
    public void answerHealthCheck() {
        boolean keep = exchange.keepAfterLocalAnswer(ProxyStatus.HEALTH_CHECK, draining);
        answer(ProxyStatus.HEALTH_CHECK, ErrorResponses.framed(
                ops.health().response(ctx.alloc(), exchange.clientVersion, exchange.headRequest), !keep), keep);
    }

    /** Sends a response the proxy made up; {@code keep} says whether the connection stays open after it. */
    private void answer(ProxyStatus why, FullHttpResponse response, boolean keep) {
        status = why;
        boolean fullyRead = exchange.requestComplete;
        clearExchange();
        ChannelFuture written = ctx.writeAndFlush(response);
        if (keep) {
            // After a replay the end of the request has been read already: nothing left to drop.
            phase = fullyRead ? Phase.IDLE : Phase.DISCARDING;
            takeHeldLater();
        } else {
            phase = Phase.CLOSED;
            LingeringClose.after(written);
        }
    }

    /** The exchange failed after a backend was involved: answer if nothing was sent yet, then close. */
    private void failExchange(ProxyStatus why, HttpResponseStatus code, String text) {
        status = why;
        connector.failed(why);
        boolean started = exchange.responseStarted;
        boolean fullyRead = exchange.requestComplete;
        releaseBackend(false);
        clearExchange();
        phase = Phase.CLOSED;
        if (started) {
            // Part of the response is out: only closing tells the client it is incomplete.
            ctx.flush();
            ctx.close();
        } else {
            ChannelFuture written = ctx.writeAndFlush(ErrorResponses.of(code, text, exchange.clientVersion, true));
            if (fullyRead) {
                written.addListener(ChannelFutureListener.CLOSE);
            } else {
                LingeringClose.after(written);
            }
        }
    }

    private void closeAfterFlush() {
        phase = Phase.CLOSED;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void releaseBackend(boolean reuse) {
        BackendHandler b = backend;
        backend = null;
        if (b != null) {
            connector.giveBack(b, reuse);
        }
    }

    private void clearExchange() {
        connector.clear();
        exchange.clear();
        if (exchangeDeadline != null) {
            exchangeDeadline.stop();
        }
        flushBackend = false;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == RequestHeadTimer.EXPIRED) {
            if (phase == Phase.IDLE) {
                exchange.clientKeepAlive = false;
                reject(ProxyStatus.REQUEST_TIMEOUT, HttpResponseStatus.REQUEST_TIMEOUT,
                        "request headers not received within " + headTimer.timeoutMillis() + " ms");
            }
            return;
        }
        if (evt instanceof Drain drain) {
            draining = true;
            if (phase == Phase.IDLE) {
                if (drain.idleLingerNanos() > 0) {
                    ctx.executor().schedule(this::closeIfIdle, drain.idleLingerNanos(), TimeUnit.NANOSECONDS);
                } else {
                    closeAfterFlush();
                }
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * The client sent nothing for the idle timeout. While a backend is still working on a complete
     * request, the response timeout decides; while a response or tunnel traffic flows to the client,
     * the connection is not idle either (only reads are watched, so that writes keep their void
     * promises), and the check comes again after another period.
     */
    private void readerIdle() {
        boolean awaitingBackend = (phase == Phase.CONNECTING)
                || (phase == Phase.PROXYING && exchange.requestComplete && !exchange.responseStarted);
        boolean relayed = relayedSinceIdle;
        relayedSinceIdle = false;
        if (!awaitingBackend && !relayed) {
            log.debug("{}: closing idle client connection", ctx.channel());
            ctx.close();
        } else {
            idle.restart();
        }
    }

    private void closeIfIdle() {
        if (phase == Phase.IDLE) {
            closeAfterFlush();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (phase != Phase.IDLE && phase != Phase.CLOSED && phase != Phase.DISCARDING && status == null) {
            status = ProxyStatus.CLIENT_CLOSED;
        }
        phase = Phase.CLOSED;
        releaseBackend(false);
        clearExchange();
        releaseHeld();
        if (exchangeDeadline != null) {
            exchangeDeadline.cancel();
        }
        idle.cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{}: client connection failed", ctx.channel(), cause);
        ctx.close();
    }
}
