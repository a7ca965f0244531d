package io.mesoslb.server.proxy.exchange;

import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.server.auth.AuthDecision;
import io.mesoslb.server.observe.ExchangeObserver;
import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.proxy.ProxyOps;
import io.mesoslb.server.proxy.ProxySettings;
import io.mesoslb.server.proxy.ProxyStatus;
import io.mesoslb.server.proxy.http.BodilessRequest;
import io.mesoslb.server.proxy.origin.BackendPools;
import io.mesoslb.server.proxy.origin.ClientResponseWriter;
import io.mesoslb.server.proxy.origin.OriginConnector;
import io.mesoslb.server.proxy.origin.OriginRequestWriter;
import io.mesoslb.server.proxy.origin.OriginResponseReceiver;
import io.mesoslb.server.proxy.tunnel.TunnelSwitch;
import io.mesoslb.server.routes.RouteFinder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The exchange in flight on one client connection, from request head to the end of the response:
 * its phase, its deadlines, how it ends (kept, closed, drained) and the answers the proxy gives
 * itself. The client's reader ({@link ClientSide}) hands it what it reads, {@link RequestAdmission}
 * judges the head, the {@link OriginConnector} finds a backend connection, the request goes out from
 * here, and the {@link ClientResponseWriter} relays the response and reports its end.
 *
 * <p>One per client connection, reused for every request on it; everything, including the backend
 * connection, runs on the connection's event loop.
 */
public final class ProxyExchange {
    /** User event: the server is shutting down; finish the current exchange, then close. */
    public static final Object DRAIN = new Drain(0);

    private final ProxySettings settings;
    private final ProxyOps ops;
    private final ExchangeObserver observer;
    private final ExchangeState state = new ExchangeState();
    private final ReadBatchClock clock = new ReadBatchClock();
    private final RequestAdmission admission;
    private final OriginConnector connector;
    private final ClientResponseWriter responses;
    private final OriginRequestWriter requests;
    private final Consumer<AuthDecision> onCredentials = this::credentialsDecided;

    private ChannelHandlerContext ctx;
    private ClientSide client;
    private ExchangeDeadlines deadlines;
    private Phase phase = Phase.IDLE;
    private boolean draining;
    /** The request whose credentials are being checked, while AUTHENTICATING. */
    private HttpRequest authenticating;

    public ProxyExchange(RouteTableHolder routes, RouteFinder finder, BackendPools pools, ProxySettings settings,
                         BackendOutcomes outcomes, ProxyOps ops, ExchangeObserver observer) {
        this.settings = settings;
        this.ops = ops;
        this.observer = observer;
        this.admission = new RequestAdmission(routes, finder, settings, ops, observer, state);
        this.connector = new OriginConnector(pools, outcomes, settings.connectRetries(), state, this);
        this.responses = new ClientResponseWriter(this, state, observer);
        this.requests = new OriginRequestWriter(settings, state, this, observer, responses, clock);
    }

    /** @param ctx the client reader's context: what the exchange writes to the client starts there */
    public void bind(ChannelHandlerContext ctx, ClientSide client) {
        this.ctx = ctx;
        this.client = client;
        connector.bind(ctx.channel());
        responses.bind(ctx);
        deadlines = new ExchangeDeadlines(this, state, ctx, settings, clock);
    }

    public void clientActive() {
        requests.bind(ctx.channel(), client, ops.tls() != null);
        deadlines.clientRead();
    }

    /** The clock of the client connection's read batches, shared by the clocks its exchanges start. */
    public ReadBatchClock clock() {
        return clock;
    }

    /** True once the server asked this connection to finish. */
    public boolean isDraining() {
        return draining;
    }

    /** True between requests: a new request head is what this connection waits for. */
    public boolean awaitingRequestHead() {
        return phase == Phase.IDLE;
    }

    /** True while the exchange waits for a backend connection. */
    public boolean isConnecting() {
        return phase == Phase.CONNECTING;
    }

    /** True once the connection is closing: whatever still arrives is dropped. */
    public boolean isClosed() {
        return phase == Phase.CLOSED;
    }

    /** True while a request and its response are relayed. */
    public boolean isProxying() {
        return phase == Phase.PROXYING;
    }

    /**
     * True while the request in flight asks to switch protocols and has not been answered: after a
     * 101 the client's next bytes are the new protocol's, so none after the request's end may be read
     * (and decoded as HTTP) before the answer says which protocol they are.
     */
    public boolean upgradeInFlight() {
        return (phase == Phase.AUTHENTICATING || phase == Phase.CONNECTING || phase == Phase.PROXYING)
                && state.asksUpgrade();
    }

    /** True from the end of a request that asks to switch protocols until its answer: the client's reads stay off. */
    public boolean awaitsUpgradeAnswer() {
        return state.requestComplete && upgradeInFlight();
    }

    /** The backend connection serving the exchange, or null. */
    public OriginResponseReceiver origin() {
        return requests.origin();
    }

    // ---------------------------------------------------------------- client -> origin

    /** True when the current phase can use {@code msg} now; else the client's reader holds it. */
    public boolean canTake(Object msg) {
        switch (phase) {
            case AUTHENTICATING:
            case CONNECTING:
                return false;
            case PROXYING:
                OriginResponseReceiver origin = requests.origin();
                return !(msg instanceof HttpRequest) && (origin == null || origin.channel().isWritable());
            default:
                return true;
        }
    }

    public void take(Object msg) {
        switch (phase) {
            case IDLE:
                if (msg instanceof HttpRequest) {
                    HttpRequest req = (HttpRequest) msg;
                    observer.begin(ctx.channel(), req, clock.now());
                    // Its end came with it: nothing of the request is left to read.
                    state.requestComplete = req instanceof BodilessRequest;
                    act(req, admission.admit(req, onCredentials));
                } else {
                    ReferenceCountUtil.release(msg);
                }
                break;
            case PROXYING:
                if (msg instanceof HttpContent) {
                    requests.content((HttpContent) msg);
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
            default:
                ReferenceCountUtil.release(msg);
        }
    }

    private void act(HttpRequest req, Verdict v) {
        switch (v.kind()) {
            case ADMIT:
                if (connector.choose(req)) {
                    forward(req);
                } else {
                    answer(Verdict.refuse(ProxyStatus.NO_BACKEND, HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "no backend available for app " + state.route.appId()));
                }
                break;
            case AUTHENTICATE:
                // Reads go on being held, as while connecting: nothing of the request moves until the verdict.
                authenticating = req;
                phase = Phase.AUTHENTICATING;
                break;
            default:
                if (!v.trustConnection()) {
                    state.clientKeepAlive = false;
                }
                answer(v);
        }
    }

    /** Called on a hashing thread. */
    private void credentialsDecided(AuthDecision d) {
        ctx.executor().execute(() -> authenticated(d));
    }

    private void authenticated(AuthDecision d) {
        HttpRequest req = authenticating;
        authenticating = null;
        if (phase != Phase.AUTHENTICATING || req == null) {
            return; // the client left meanwhile
        }
        phase = Phase.IDLE;
        act(req, admission.credentials(d));
    }

    /** Sends an admitted request on to the backend the connector chose. */
    private void forward(HttpRequest req) {
        requests.prepareHead(req);
        state.forward(req);
        phase = Phase.CONNECTING;
        deadlines.exchangeStarted(state.deadlineNanos);
        connector.start();
    }

    /** The client's read batch is over: what went to the backend goes out in one flush. */
    public void clientReadComplete(boolean readSomething) {
        if (readSomething) {
            deadlines.clientRead();
        }
        requests.flush();
    }

    public void clientWritabilityChanged() {
        if (!ctx.channel().isWritable()) {
            ctx.flush();
        }
        // Read again after the flush: it may have drained the buffer, and fired (nested) the opposite event.
        requests.clientWritabilityChanged();
    }

    // ---------------------------------------------------------------- the origin side reports

    /** The connector has a backend connection for the exchange: send it the request. */
    public void connected(OriginResponseReceiver b) {
        phase = Phase.PROXYING;
        requests.send(b);
    }

    /** No backend of the route could be connected to, and no retry is left. */
    public void connectGaveUp(ProxyStatus failure) {
        state.releasePendingHead();
        String appId = state.route.appId();
        answer(failure == ProxyStatus.CONNECT_TIMEOUT
                ? Verdict.refuse(failure, HttpResponseStatus.GATEWAY_TIMEOUT, "timed out connecting to a backend of app " + appId)
                : Verdict.refuse(failure, HttpResponseStatus.BAD_GATEWAY, "could not connect to a backend of app " + appId));
    }

    public void originWritabilityChanged(boolean writable) {
        requests.originWritabilityChanged(writable);
    }

    /** The response writer flushed what it relayed. */
    public void relayed() {
        deadlines.relayed();
    }

    public void originTimedOut() {
        if (phase != Phase.PROXYING) {
            return;
        }
        // Mid-body the 504 cannot be sent any more: fail closes the client connection instead.
        fail(ProxyStatus.BACKEND_TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT, state.responseStarted
                ? "backend sent nothing for " + settings.responseTimeout().toMillis() + " ms mid-response"
                : "backend did not respond within " + settings.responseTimeout().toMillis() + " ms");
    }

    /** The backend connection closed while it served this connection. */
    public void originClosed() {
        requests.release();
        if (phase != Phase.PROXYING) {
            return;
        }
        if (!state.responseStarted && state.replayHead != null && replay()) {
            return;
        }
        if (!state.responseStarted) {
            connector.closedBeforeResponse();
        }
        fail(ProxyStatus.BACKEND_RESET, HttpResponseStatus.BAD_GATEWAY, "backend closed the connection before responding");
    }

    /** Sends a replayable request again after its connection closed before any response. */
    private boolean replay() {
        var next = connector.replayTarget();
        if (next == null) {
            return false;
        }
        state.pendingHead = state.replayHead;
        phase = Phase.CONNECTING;
        connector.replayTo(next);
        return true;
    }

    /** A 101 from the backend: the connections become a tunnel, and this exchange is over. */
    public void switchProtocols(HttpResponse response) {
        deadlines.cancel();
        phase = Phase.TUNNEL;
        OriginResponseReceiver b = requests.release();
        // The backend keeps its in-flight count (leastconn) for as long as the tunnel lasts.
        ctx.channel().closeFuture().addListener(f -> connector.clear());
        TunnelSwitch.prepareResponse(response);
        writeAndFlush(response, ctx.voidPromise());
        TunnelSwitch.install(ctx.channel(), b, client.leave(), settings.clientIdleTimeout().toNanos());
    }

    // ---------------------------------------------------------------- ending

    /** The response's end went to the client. */
    public void responseComplete() {
        connector.responded(state.responseCode);
        // Answered before the client finished sending: the backend connection cannot serve another
        // request, and the rest of the client's body has nowhere to go but away, so the client
        // connection can be kept.
        boolean early = !state.requestComplete;
        releaseOrigin(!early && state.backendReusable);
        responses.flush();
        clearExchange();
        if (state.closeAfterResponse || draining) {
            closeAfterFlush();
        } else {
            phase = early ? Phase.DISCARDING : Phase.IDLE;
            client.takeHeldLater();
        }
    }

    /** Sends a response the proxy made up, keeping the connection when the rest of the request can be skipped. */
    private void answer(Verdict v) {
        boolean keep = state.keepAfterLocalAnswer(v.why(), draining);
        FullHttpResponse response = LocalAnswers.of(v, state.clientVersion, !keep, ops.health(), ctx.alloc(),
                observer.headRequest(), state.grpc);
        // After a replay the end of the request has been read already: nothing left to drop.
        boolean fullyRead = state.requestComplete;
        clearExchange();
        ChannelFuture written = writeAndFlush(response, ctx.newPromise());
        if (keep) {
            phase = fullyRead ? Phase.IDLE : Phase.DISCARDING;
            client.takeHeldLater();
        } else {
            phase = Phase.CLOSED;
            LingeringClose.after(written);
        }
    }

    /** The exchange failed after a backend was involved: answer if nothing was sent yet, then close. */
    public void fail(ProxyStatus why, HttpResponseStatus code, String text) {
        connector.failed(why);
        boolean started = state.responseStarted;
        boolean fullyRead = state.requestComplete;
        boolean grpc = state.grpc;
        releaseOrigin(false);
        clearExchange();
        phase = Phase.CLOSED;
        if (started) {
            // Part of the response is out: only closing tells the client it is incomplete.
            ctx.flush();
            ctx.close();
            return;
        }
        ChannelFuture written = writeAndFlush(LocalAnswers.error(why, code, text, state.clientVersion, true, grpc),
                ctx.newPromise());
        if (fullyRead) {
            written.addListener(ChannelFutureListener.CLOSE);
        } else {
            LingeringClose.after(written);
        }
    }

    /** A response the exchange writes itself: the observer hears of it as of every response to the client. */
    private ChannelFuture writeAndFlush(HttpResponse response, ChannelPromise promise) {
        observer.written(response);
        return ctx.writeAndFlush(response, promise);
    }

    private void closeAfterFlush() {
        phase = Phase.CLOSED;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void releaseOrigin(boolean reuse) {
        OriginResponseReceiver b = requests.release();
        if (b != null) {
            connector.giveBack(b, reuse);
        }
    }

    private void clearExchange() {
        connector.clear();
        responses.clear();
        state.clear();
        deadlines.exchangeEnded();
    }

    /** The client started a request head and did not finish it in time. */
    public void requestHeadTimedOut(long timeoutMillis) {
        if (phase == Phase.IDLE) {
            state.clientKeepAlive = false;
            answer(Verdict.refuse(ProxyStatus.REQUEST_TIMEOUT, HttpResponseStatus.REQUEST_TIMEOUT,
                    "request headers not received within " + timeoutMillis + " ms"));
        }
    }

    /** The server is shutting down: the exchange in flight finishes, and the connection closes after it. */
    public void drain(Drain drain) {
        draining = true;
        if (phase == Phase.IDLE) {
            if (drain.idleLingerNanos() > 0) {
                ctx.executor().schedule(this::closeIfIdle, drain.idleLingerNanos(), TimeUnit.NANOSECONDS);
            } else {
                closeAfterFlush();
            }
        }
    }

    private void closeIfIdle() {
        if (phase == Phase.IDLE) {
            closeAfterFlush();
        }
    }

    /** The client connection closed. */
    public void clientClosed() {
        observer.clientClosed();
        phase = Phase.CLOSED;
        releaseOrigin(false);
        clearExchange();
        deadlines.cancel();
    }

    Phase phase() {
        return phase;
    }
}
