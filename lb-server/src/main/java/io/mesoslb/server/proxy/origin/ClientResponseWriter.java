package io.mesoslb.server.proxy.origin;

import io.mesoslb.server.observe.ExchangeObserver;
import io.mesoslb.server.proxy.ProxyStatus;
import io.mesoslb.server.proxy.exchange.ExchangeState;
import io.mesoslb.server.proxy.exchange.ProxyExchange;
import io.mesoslb.server.proxy.http.HeaderScan;
import io.mesoslb.server.proxy.http.HopByHopHeaders;
import io.mesoslb.server.proxy.http.ResponseHeads;
import io.mesoslb.server.proxy.http.RouteRewrites;
import io.mesoslb.server.proxy.http.StickyCookie;
import io.mesoslb.server.proxy.http.TrailerFields;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The response direction of one client connection: what the backend connection on loan reads
 * ({@link OriginResponseReceiver}) is made fit for the client and written to it. The response's end
 * (or its failure) goes back to the {@link ProxyExchange}, which decides what happens to both
 * connections. Flushes to the client are coalesced to one per backend read batch.
 *
 * <p>One per client connection, on its event loop.
 */
public final class ClientResponseWriter {
    private final ProxyExchange exchange;
    private final ExchangeState state;
    private final ExchangeObserver observer;
    private ChannelHandlerContext client;
    /** Something was written to the client and not flushed yet. */
    private boolean unflushed;
    /** A 1xx went out whole; its end marker from the decoder is still to come, and is dropped. */
    private boolean interimEnd;

    public ClientResponseWriter(ProxyExchange exchange, ExchangeState state, ExchangeObserver observer) {
        this.exchange = exchange;
        this.state = state;
        this.observer = observer;
    }

    /** @param client the context response messages are written from, so that they pass the codec */
    public void bind(ChannelHandlerContext client) {
        this.client = client;
    }

    /** Everything the backend connection reads while it serves this connection. */
    void fromOrigin(Object msg) {
        if (msg instanceof HttpResponse) {
            head((HttpResponse) msg);
        } else if (msg instanceof HttpContent) {
            content((HttpContent) msg);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void head(HttpResponse response) {
        if (response.decoderResult().isFailure() || !exchange.isProxying()) {
            ReferenceCountUtil.release(response);
            exchange.fail(ProxyStatus.BACKEND_RESET, HttpResponseStatus.BAD_GATEWAY, "invalid response from backend");
            return;
        }
        int code = response.status().code();
        if (code == 101 && state.upgradeRequested && state.requestComplete) {
            state.responseStarted = true;
            exchange.switchProtocols(response);
            return;
        }
        if (code >= 100 && code < 200 && code != 101) {
            interim(response);
            return;
        }
        if (code == 101) {
            ReferenceCountUtil.release(response);
            exchange.fail(ProxyStatus.BACKEND_RESET, HttpResponseStatus.BAD_GATEWAY, "unexpected 101 from backend");
            return;
        }
        state.responseStarted = true;
        state.responseCode = code;
        int connection = HopByHopHeaders.connection(response.headers());
        state.backendReusable = HopByHopHeaders.isKeepAlive(response.protocolVersion(), connection);
        // Final before the body, with no 100 sent: a client that expected one may never send the body
        // (RFC 9110 10.1.1), and dropping that many bytes would take them from its next request.
        boolean bodyMayNotCome = !state.requestComplete && !state.continued
                && (state.requestConnection & HeaderScan.HAS_EXPECT) != 0;
        state.closeAfterResponse = ResponseHeads.prepareForClient(response, connection, state.clientVersion,
                state.clientKeepAlive && !exchange.isDraining() && !bodyMayNotCome, observer.headRequest());
        if (state.stickyToken != null) {
            // The backend that answered, which a failed connect may have changed from the one the cookie named.
            StickyCookie.update(response, exchange.origin().backend(), state.stickyToken);
        }
        RouteRewrites.response(state.route, response.headers());
        if (response instanceof LastHttpContent whole) {
            // An HTTP/2 stream's headers with its end: no body follows.
            end(whole);
        } else {
            write(response);
        }
    }

    /**
     * A 1xx goes to the client whole, head and end in one message, so that nothing after it (the
     * observer, the encoder) has to tell its end from the final response's.
     */
    private void interim(HttpResponse response) {
        // From HTTP/1.1 its end comes from the decoder next; from an HTTP/2 stream it is whole already.
        interimEnd = !(response instanceof LastHttpContent);
        if (!state.requestComplete) {
            // A 100 Continue: the client's body comes next, at the client's pace; the clock restarts at its end.
            exchange.origin().cancelResponseTimeout();
        }
        if (state.clientVersion == HttpVersion.HTTP_1_0) {
            // RFC 9110 15.2: no 1xx to an HTTP/1.0 client, which would take it for the response.
            ReferenceCountUtil.release(response);
            return;
        }
        state.continued |= response.status().code() == 100;
        HopByHopHeaders.strip(response.headers(), false);
        write(new DefaultFullHttpResponse(response.protocolVersion(), response.status(), Unpooled.EMPTY_BUFFER,
                response.headers(), EmptyHttpHeaders.INSTANCE));
        ReferenceCountUtil.release(response);
    }

    private void content(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            ReferenceCountUtil.release(content);
            exchange.fail(ProxyStatus.BACKEND_RESET, HttpResponseStatus.BAD_GATEWAY, "backend response was cut short");
            return;
        }
        if (interimEnd) {
            // A 1xx has no body: this is its end, already sent with its head.
            interimEnd = !(content instanceof LastHttpContent);
            ReferenceCountUtil.release(content);
            return;
        }
        if (!state.responseStarted || state.responseComplete) {
            ReferenceCountUtil.release(content);
            return;
        }
        if (content instanceof LastHttpContent last) {
            end(last);
        } else {
            write(content);
        }
    }

    /** The response's last message (with its trailers, which an HTTP/1.1 client gets when the body is chunked). */
    private void end(LastHttpContent last) {
        TrailerFields.strip(last.trailingHeaders());
        write(last);
        state.responseComplete = true;
        // The exchange flushes it, once the outcome is counted: whoever reads the response sees its effects.
        exchange.responseComplete();
    }

    private void write(Object msg) {
        observer.written(msg);
        client.write(msg, client.voidPromise());
        unflushed = true;
    }

    /** Flushes what was written to the client; true when there was something. */
    public boolean flush() {
        if (!unflushed) {
            return false;
        }
        unflushed = false;
        client.flush();
        return true;
    }

    /** The backend connection read a batch: what it relayed goes out in one flush. */
    void originReadComplete() {
        if (flush()) {
            exchange.relayed();
        }
    }

    void originWritabilityChanged(boolean writable) {
        exchange.originWritabilityChanged(writable);
    }

    void originTimedOut() {
        exchange.originTimedOut();
    }

    void originClosed() {
        exchange.originClosed();
    }

    /** Forgets the response in flight. */
    public void clear() {
        interimEnd = false;
    }
}
