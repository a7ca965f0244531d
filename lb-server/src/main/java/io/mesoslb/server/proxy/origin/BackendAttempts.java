package io.mesoslb.server.proxy.origin;

import io.mesoslb.core.Backend;
import io.mesoslb.core.BackendState;
import io.mesoslb.core.Route;
import io.mesoslb.server.proxy.ProxyStatus;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ConnectTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;

/**
 * The backends one client connection tries for one route: a first choice, then, after each
 * failed connect, another backend while retries last (nothing has been sent yet, so any backend
 * may take over). It keeps the in-flight count that the leastconn and least-request modes choose by
 * on the backend being tried: one per client, moved with it. It knows the connect in flight, so that
 * a connect the client abandons is never taken for the backend's failure, and a connect closed under
 * it by something else is made again once. Shared by the HTTP exchange and the TCP service ports.
 *
 * <p>One per client connection, on its event loop.
 */
public final class BackendAttempts {
    private final int connectRetries;
    private Route route;
    private int clientHash;
    private BackendState target;
    /** Whether {@link #target} holds one of its in-flight counts for this client. */
    private boolean countsInFlight;
    private int retriesLeft;
    /** The backend connect in flight, or null. */
    private Channel connecting;
    /** A connect was closed under it and made again; once is enough. */
    private boolean reconnected;

    /** @param connectRetries other backends tried after a failed connect */
    public BackendAttempts(int connectRetries) {
        this.connectRetries = connectRetries;
    }

    /** Starts on {@code route} with {@code first}; the retries begin afresh. */
    public void begin(Route route, int clientHash, BackendState first) {
        this.route = route;
        this.clientHash = clientHash;
        retriesLeft = connectRetries;
        reconnected = false;
        moveTo(first);
    }

    /** The backend being tried, or null. */
    public BackendState target() {
        return target;
    }

    /** Moves to another backend (or none), taking the in-flight count along. */
    public void moveTo(BackendState next) {
        BackendState previous = target;
        target = next;
        if (previous == next) {
            return;
        }
        if (previous != null && countsInFlight) {
            previous.released();
        }
        countsInFlight = next != null && route != null && route.options().balance().countsInFlight();
        if (countsInFlight) {
            next.acquired();
        }
    }

    /** Another backend than the current one, using up a retry; null when none is left or there is no other. */
    public BackendState next() {
        if (retriesLeft <= 0 || target == null) {
            return null;
        }
        BackendState next = route.select(route.options().balance(), clientHash, target.backend());
        if (next == null || next.backend().equals(target.backend())) {
            return null;
        }
        retriesLeft--;
        return next;
    }

    /**
     * Hands the current backend's in-flight count to whoever keeps the connection from now on (a
     * relay that lasts as long as it does); null when the balance mode counts none.
     */
    public BackendState keepCount() {
        BackendState counted = countsInFlight ? target : null;
        countsInFlight = false;
        return counted;
    }

    /** Waits for {@code connect}, from now the connect in flight, with {@code listener}. */
    public void connecting(ChannelFuture connect, ChannelFutureListener listener) {
        connecting = connect.channel();
        connect.addListener(listener);
    }

    /**
     * Whether {@code connect}, now done, was the connect in flight; false for one abandoned meanwhile (the client
     * left, or its exchange moved on), which is closed if it connected.
     */
    public boolean finished(ChannelFuture connect) {
        if (connect.channel() != connecting) {
            if (connect.isSuccess()) {
                connect.channel().close();
            }
            return false;
        }
        connecting = null;
        return true;
    }

    /**
     * Whether a connect that failed for {@code cause} is to be made again to the same backend, using no retry and
     * counted against no one: once, when the channel was closed before it connected. This client did not close it
     * ({@link #clear} forgets a connect before closing it), nor did the backend (a refusal or a timeout fails
     * otherwise): the epoll transport can hand a socket whose connect is not done an event meant for a socket
     * closed just before under the same descriptor number, in the same batch of ready events, and the failed read
     * or the peer's close seen there closes it.
     */
    public boolean closedUnderIt(Throwable cause) {
        if (cause instanceof ClosedChannelException && !reconnected) {
            reconnected = true;
            return true;
        }
        return false;
    }

    /** Forgets the route, abandons the connect in flight; the in-flight count is given back. */
    public void clear() {
        Channel abandoned = connecting;
        // Forgotten before it is closed: closing fails the connect at once, and its listener must not take that
        // for the backend's failure (nor try another backend for a client that left).
        connecting = null;
        if (abandoned != null) {
            abandoned.close();
        }
        moveTo(null);
        route = null;
        retriesLeft = 0;
        reconnected = false;
    }

    /**
     * Why {@code backend} cannot be connected to without a name lookup, or null when it can:
     * discovery could not resolve the agent's name, and looking it up on an event loop would stall it.
     */
    public static UnknownHostException unresolved(Backend backend) {
        return backend.ip() == null ? new UnknownHostException(backend.host() + " is not resolved") : null;
    }

    /** How passive health sees a failed connect. */
    public static ProxyStatus failureOf(Throwable cause) {
        return cause instanceof ConnectTimeoutException ? ProxyStatus.CONNECT_TIMEOUT : ProxyStatus.CONNECT_FAILED;
    }
}
