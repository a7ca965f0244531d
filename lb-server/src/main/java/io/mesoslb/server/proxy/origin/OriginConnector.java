package io.mesoslb.server.proxy.origin;

import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.proxy.ProxyStatus;
import io.mesoslb.server.proxy.RetryKind;

import io.mesoslb.core.BackendProtocol;
import io.mesoslb.core.BackendState;
import io.mesoslb.core.Route;
import io.mesoslb.server.proxy.exchange.ExchangeState;
import io.mesoslb.server.proxy.exchange.ProxyExchange;
import io.mesoslb.server.proxy.http.StickyCookie;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a backend connection for the exchange of one client connection: chooses the backend (the
 * one a sticky cookie names, else the route's balance mode's pick), takes an idle connection from
 * the loop's pool or opens a new one (for an h2c route: a stream on the loop's connection to it), moves to another backend after a failed connect while retries
 * are left (a connect closed under it, no failure of the backend's, is made again once), and gives the connection
 * back to the pool (or closes it) when the exchange is done. It also reports how each backend did.
 *
 * <p>One instance per client connection, itself the listener of its connects, all on the
 * connection's event loop.
 */
public final class OriginConnector implements ChannelFutureListener, StreamWaiter {
    private static final Logger log = LoggerFactory.getLogger(OriginConnector.class);

    private final BackendPools pools;
    private final BackendOutcomes outcomes;
    private final BackendAttempts attempts;
    private final ExchangeState exchange;
    private final ProxyExchange proxy;
    private Channel client;
    private LoopBackendPool pool;
    private LoopH2Pool h2Pool;
    /** Names the stream asked for last; a stream answering an older request (the exchange moved on) is closed. */
    private int streamTicket;

    /** The first backend for the exchange, between {@link #choose} and {@link #start}. */
    private BackendState chosen;
    /** The backend connection in use came from the pool (it may have gone stale while idle). */
    private boolean reusedConnection;

    public OriginConnector(BackendPools pools, BackendOutcomes outcomes, int connectRetries, ExchangeState exchange,
                           ProxyExchange proxy) {
        this.pools = pools;
        this.outcomes = outcomes;
        this.attempts = new BackendAttempts(connectRetries);
        this.exchange = exchange;
        this.proxy = proxy;
    }

    public void bind(Channel client) {
        this.client = client;
    }

    private LoopBackendPool pool() {
        // Looked up on first use: a connection that never reaches a backend never needs its loop's pool.
        if (pool == null) {
            pool = pools.forLoop(client.eventLoop());
        }
        return pool;
    }

    private LoopH2Pool h2Pool() {
        if (h2Pool == null) {
            h2Pool = pools.h2ForLoop(client.eventLoop());
        }
        return h2Pool;
    }

    /**
     * Picks the backend for the exchange's route, before the request head is changed for it (a
     * sticky cookie is read from it as the client sent it).
     *
     * @return false when the route has no backend to take the request
     */
    public boolean choose(HttpRequest req) {
        chosen = choose(req, exchange.route);
        return chosen != null;
    }

    /** Connects to the backend {@link #choose} picked; the retries of the route begin afresh. */
    public void start() {
        BackendState first = chosen;
        chosen = null;
        attempts.begin(exchange.route, exchange.clientHash, first);
        connectTo(first, true);
    }

    /** The one the request's sticky cookie names while that one may take it, else the balance mode's choice. */
    private BackendState choose(HttpRequest req, Route r) {
        BackendState first = null;
        if (r.sticky()) {
            String token = StickyCookie.read(req.headers());
            first = r.selectSticky(token);
            exchange.stickyToken = token == null ? "" : token;
        }
        return first != null ? first : r.select(r.options().balance(), exchange.clientHash);
    }

    /** @param mayReuse false to insist on a new connection (after a pooled one went stale) */
    private void connectTo(BackendState state, boolean mayReuse) {
        attempts.moveTo(state);
        UnknownHostException unresolved = BackendAttempts.unresolved(state.backend());
        if (unresolved != null) {
            connectFailed(unresolved);
            return;
        }
        if (exchange.route.options().protocol() == BackendProtocol.H2C) {
            h2Pool().openStream(state.backend(), exchange.route, mayReuse, this, ++streamTicket);
            return;
        }
        OriginResponseReceiver pooled = mayReuse ? pool().pollIdle(state.backend()) : null;
        reusedConnection = pooled != null;
        if (pooled != null) {
            proxy.connected(pooled);
            return;
        }
        attempts.connecting(pool().connect(state.backend(), exchange.route), this);
    }

    /** A backend connect finished. */
    @Override
    public void operationComplete(ChannelFuture f) {
        if (!attempts.finished(f)) {
            return;
        }
        if (f.isSuccess()) {
            proxy.connected(f.channel().pipeline().get(OriginResponseReceiver.class));
        } else {
            connectFailed(f.cause());
        }
    }

    @Override
    public void streamReady(int ticket, OriginResponseReceiver stream, boolean reusedConnection) {
        if (ticket != streamTicket) {
            stream.channel().close();
            return;
        }
        this.reusedConnection = reusedConnection;
        proxy.connected(stream);
    }

    @Override
    public void streamFailed(int ticket, Throwable cause) {
        if (ticket == streamTicket) {
            connectFailed(cause);
        }
    }

    private void connectFailed(Throwable cause) {
        if (attempts.closedUnderIt(cause)) {
            log.debug("{}: connect to {} closed before it was made; connecting again", client, attempts.target());
            connectTo(attempts.target(), false);
            return;
        }
        ProxyStatus failure = BackendAttempts.failureOf(cause);
        log.debug("{}: connect to {} failed: {}", client, attempts.target(), cause.toString());
        outcomes.failed(attempts.target(), failure);
        // Nothing of the request has been written yet, so another backend may take it.
        BackendState next = attempts.next();
        if (next != null) {
            outcomes.retried(next, RetryKind.CONNECT);
            connectTo(next, true);
            return;
        }
        proxy.connectGaveUp(failure);
    }

    /**
     * Where to send a replayable request again after its connection closed before any response.
     * A pooled connection most likely went stale while idle (the backend's keep-alive timeout ran
     * out as it was picked): same backend, no retry used. Otherwise the backend failed it, and
     * another backend gets it if a retry is left.
     *
     * @return the backend to replay to, or null when there is none
     */
    public BackendState replayTarget() {
        BackendState target = attempts.target();
        BackendState next = reusedConnection ? target : attempts.next();
        if (next == null) {
            return null;
        }
        if (!reusedConnection) {
            outcomes.failed(target, ProxyStatus.BACKEND_RESET);
        }
        outcomes.retried(next, reusedConnection ? RetryKind.STALE_CONNECTION : RetryKind.REPLAY);
        log.debug("{}: connection to {} closed before a response; sending the request again to {}", client,
                target, next);
        return next;
    }

    /** Sends the replay over a new connection, even to the same backend. */
    public void replayTo(BackendState next) {
        connectTo(next, false);
    }

    /**
     * The backend connection closed before the response started: when it came from the pool it
     * was most likely closed by the backend while idle, just as it was picked, so it counts
     * against nobody.
     */
    public void closedBeforeResponse() {
        if (reusedConnection) {
            attempts.moveTo(null);
        }
    }

    /** The backend answered with {@code code}. */
    public void responded(int code) {
        outcomes.responded(attempts.target(), code);
    }

    /** The exchange failed for {@code why}; counts against the backend when it is the backend's fault. */
    public void failed(ProxyStatus why) {
        BackendState target = attempts.target();
        if (target != null && why.isBackendFailure()) {
            outcomes.failed(target, why);
        }
    }

    /** Ends the loan of {@code b}: back to the pool when it can serve another request, else closed. */
    public void giveBack(OriginResponseReceiver b, boolean reuse) {
        b.giveBack(reuse);
    }

    /** Forgets the exchange; a connect still in flight is abandoned. */
    public void clear() {
        attempts.clear();
        chosen = null;
        reusedConnection = false;
        streamTicket++;
    }
}
