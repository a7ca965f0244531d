package io.mesoslb.server.proxy.exchange;

import io.mesoslb.server.proxy.ProxySettings;
import io.mesoslb.server.proxy.ProxyStatus;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clocks of one client connection's exchanges: the client's idle timeout, restarted by its reads
 * (no handler of its own: one hop less per message), request-timeout over a whole exchange, and the
 * client's own deadline for it ({@code grpc-timeout}), which can only come sooner than the others: every
 * clock runs, the first to run out ends the exchange. What a clock running out means depends on where the
 * exchange stands, so the verdict is taken here and carried out by the {@link ProxyExchange}.
 */
final class ExchangeDeadlines {
    private static final Logger log = LoggerFactory.getLogger(ExchangeDeadlines.class);

    private final ProxyExchange exchange;
    private final ExchangeState state;
    private final ChannelHandlerContext client;
    private final ReadBatchClock clock;
    private final Deadline idle;
    /** request-timeout, or null when there is none. */
    private final Deadline whole;
    /** Something was relayed to the client since the last reader-idle event. */
    private boolean relayedSinceIdle;
    /** The client's deadline for the exchange in flight, or null: scheduled per exchange, as its length is the client's. */
    private ScheduledFuture<?> clientDeadline;
    private long clientDeadlineMillis;

    ExchangeDeadlines(ProxyExchange exchange, ExchangeState state, ChannelHandlerContext client, ProxySettings settings,
                      ReadBatchClock clock) {
        this.exchange = exchange;
        this.state = state;
        this.client = client;
        this.clock = clock;
        this.idle = new Deadline(client.executor(), settings.clientIdleTimeout().toNanos(), this::readerIdle);
        this.whole = settings.requestTimeout().isZero() ? null
                : new Deadline(client.executor(), settings.requestTimeout().toNanos(), this::exchangeTimedOut);
    }

    void clientRead() {
        idle.restartAt(clock.now());
    }

    void relayed() {
        relayedSinceIdle = true;
    }

    /** @param deadlineNanos the client's deadline for the exchange ({@code grpc-timeout}), 0 for none */
    void exchangeStarted(long deadlineNanos) {
        if (whole != null) {
            whole.startAt(clock.now());
        }
        if (deadlineNanos > 0) {
            clientDeadlineMillis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos);
            clientDeadline = client.executor().schedule(this::clientDeadlinePassed, deadlineNanos, TimeUnit.NANOSECONDS);
        }
    }

    void exchangeEnded() {
        if (whole != null) {
            whole.stop();
        }
        cancelClientDeadline();
    }

    private void cancelClientDeadline() {
        if (clientDeadline != null) {
            clientDeadline.cancel(false);
            clientDeadline = null;
        }
    }

    /** The connection closed, or became a tunnel, which keeps its own clock. */
    void cancel() {
        if (whole != null) {
            whole.cancel();
        }
        idle.cancel();
        cancelClientDeadline();
    }

    /** request-timeout: the whole exchange took too long. */
    private void exchangeTimedOut() {
        String text = "request not completed within " + whole.timeoutMillis() + " ms";
        Phase phase = exchange.phase();
        if (phase == Phase.PROXYING && !state.requestComplete) {
            exchange.fail(ProxyStatus.REQUEST_TIMEOUT, HttpResponseStatus.REQUEST_TIMEOUT, text);
        } else if (phase == Phase.CONNECTING || (phase == Phase.PROXYING && !state.responseStarted)) {
            exchange.fail(ProxyStatus.BACKEND_TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT, text);
        } else if (phase == Phase.PROXYING) {
            // The response is under way but slow (or its reader is): cut it, without blaming the backend.
            exchange.fail(ProxyStatus.REQUEST_TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT, text);
        }
    }

    /**
     * The client's deadline passed: it has given up on the answer, whichever side was slow, so no backend
     * is blamed for it (passive health would eject healthy backends for clients' short deadlines).
     */
    private void clientDeadlinePassed() {
        clientDeadline = null;
        Phase phase = exchange.phase();
        if (phase == Phase.CONNECTING || phase == Phase.PROXYING) {
            exchange.fail(ProxyStatus.REQUEST_TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT,
                    "grpc-timeout of " + clientDeadlineMillis + " ms passed");
        }
    }

    /**
     * The client sent nothing for the idle timeout. While a backend is still working on a complete
     * request, the response timeout decides; while a response flows to the client, the connection
     * is not idle either (only reads are watched, so that writes keep their void promises), and the
     * check comes again after another period.
     */
    private void readerIdle() {
        Phase phase = exchange.phase();
        boolean awaitingOrigin = phase == Phase.CONNECTING
                || (phase == Phase.PROXYING && state.requestComplete && !state.responseStarted);
        boolean relayed = relayedSinceIdle;
        relayedSinceIdle = false;
        if (!awaitingOrigin && !relayed) {
            log.debug("{}: closing idle client connection", client.channel());
            client.close();
        } else {
            idle.restart();
        }
    }
}
