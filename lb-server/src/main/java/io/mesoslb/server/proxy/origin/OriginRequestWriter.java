package io.mesoslb.server.proxy.origin;

import io.mesoslb.core.BackendProtocol;
import io.mesoslb.server.observe.ClientIdentity;
import io.mesoslb.server.observe.ExchangeObserver;
import io.mesoslb.server.proxy.ProxySettings;
import io.mesoslb.server.proxy.ProxyStatus;
import io.mesoslb.server.proxy.exchange.ClientSide;
import io.mesoslb.server.proxy.exchange.ExchangeState;
import io.mesoslb.server.proxy.exchange.ProxyExchange;
import io.mesoslb.server.proxy.exchange.ReadBatchClock;
import io.mesoslb.server.proxy.http.BodilessRequest;
import io.mesoslb.server.proxy.http.ForwardedHeaders;
import io.mesoslb.server.proxy.http.HeaderScan;
import io.mesoslb.server.proxy.http.HopByHopHeaders;
import io.mesoslb.server.proxy.http.RouteRewrites;
import io.mesoslb.server.proxy.http.TrailerFields;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * The request direction of one client connection: the request head made fit for the backend and
 * written to the backend connection on loan, the body streamed after it, flushed once per client
 * read batch. Each side reads only while the other can take more: the backend follows the client's
 * writability, and the client's reader holds what the backend cannot take.
 *
 * <p>One per client connection, on its event loop.
 */
public final class OriginRequestWriter {
    private final ProxySettings settings;
    private final ExchangeState state;
    private final ProxyExchange exchange;
    private final ExchangeObserver observer;
    private final ClientResponseWriter responses;
    private final ReadBatchClock clock;
    private Channel client;
    private ClientSide clientSide;
    private ForwardedHeaders forwarded;
    private OriginResponseReceiver origin;
    /** Something was written to the backend and not flushed yet. */
    private boolean unflushed;

    public OriginRequestWriter(ProxySettings settings, ExchangeState state, ProxyExchange exchange,
                               ExchangeObserver observer, ClientResponseWriter responses, ReadBatchClock clock) {
        this.settings = settings;
        this.state = state;
        this.exchange = exchange;
        this.observer = observer;
        this.responses = responses;
        this.clock = clock;
    }

    public void bind(Channel client, ClientSide clientSide, boolean tls) {
        this.client = client;
        this.clientSide = clientSide;
        this.forwarded = new ForwardedHeaders(client, tls);
    }

    /** The backend connection on loan, or null. */
    public OriginResponseReceiver origin() {
        return origin;
    }

    /** Turns an admitted request's head into the one the backend gets. */
    public void prepareHead(HttpRequest req) {
        boolean h2 = state.route.options().protocol() == BackendProtocol.H2C;
        // An Upgrade not asked for is stripped below; HTTP/2 has no Upgrade at all (RFC 9113 8.6).
        state.upgradeRequested = !h2 && state.asksUpgrade();
        // TE is hop-by-hop, but HTTP/2 carries "TE: trailers" (RFC 9113 8.2.2), which gRPC servers look for;
        // the stream's codec keeps only that value.
        List<String> te = h2 && (state.requestConnection & HeaderScan.HAS_TE) != 0
                ? req.headers().getAll(HttpHeaderNames.TE) : List.of();
        HopByHopHeaders.strip(req.headers(), state.requestConnection, state.upgradeRequested);
        if (!te.isEmpty()) {
            req.headers().add(HttpHeaderNames.TE, te);
        }
        if (state.clientVersion == HttpVersion.HTTP_1_0 && (state.requestConnection & HeaderScan.HAS_EXPECT) != 0) {
            // RFC 9110 10.1.1: an HTTP/1.0 client's 100-continue is to be ignored; forwarded as 1.1,
            // the backend would answer a 100 the client cannot read.
            req.headers().remove(HttpHeaderNames.EXPECT);
        }
        ClientIdentity identity = observer.identity();
        forwarded.applyToRequest(req.headers(), state.requestConnection, state.clientVersion, state.host,
                identity.forwardedFor(), identity.viaTrustedProxy());
        RouteRewrites.request(state.route, req);
        req.setProtocolVersion(HttpVersion.HTTP_1_1);
    }

    /** Sends the request head (and whatever of the body is held) on the connection the connector found. */
    public void send(OriginResponseReceiver b) {
        origin = b;
        observer.sentTo(b.backend());
        b.attach(responses, observer.headRequest());
        HttpRequest head = state.takePendingHead();
        boolean expectContinue = (state.requestConnection & HeaderScan.HAS_EXPECT) != 0
                && HttpUtil.is100ContinueExpected(head);
        Channel out = b.channel();
        out.write(head, out.voidPromise());
        unflushed = true;
        boolean complete = state.requestComplete;
        if (complete) {
            if (!(head instanceof BodilessRequest)) {
                // A replay of a head read apart from its empty end, which has been read already.
                out.write(LastHttpContent.EMPTY_LAST_CONTENT, out.voidPromise());
            }
            b.armResponseTimeout(clock.now());
        } else if (expectContinue) {
            // The client sends its body only after the backend's 100, so the backend must answer now.
            b.armResponseTimeout(clock.now());
        }
        b.pauseReads(!client.isWritable());
        // The body, or the end of a body-less request, may be held already.
        clientSide.takeHeld();
        flush();
    }

    /** A piece of the request body. */
    public void content(HttpContent content) {
        if (state.requestComplete || origin == null) {
            ReferenceCountUtil.release(content);
            return;
        }
        if (content.decoderResult().isFailure()) {
            // A broken chunk, or the client went away mid-body: the backend must not see it as complete.
            ReferenceCountUtil.release(content);
            exchange.fail(ProxyStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST, "bad request: malformed body");
            return;
        }
        long maxBody = settings.maxRequestBody();
        if (maxBody > 0 && (state.bodyBytes += content.content().readableBytes()) > maxBody) {
            // Chunked, so not known up front: the backend has part of it and its connection must go.
            ReferenceCountUtil.release(content);
            exchange.fail(ProxyStatus.REQUEST_TOO_LARGE, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body larger than " + maxBody + " bytes");
            return;
        }
        Channel out = origin.channel();
        if (!(content instanceof LastHttpContent last)) {
            out.write(content, out.voidPromise());
            unflushed = true;
            return;
        }
        TrailerFields.strip(last.trailingHeaders());
        out.writeAndFlush(content, out.voidPromise());
        unflushed = false;
        state.requestComplete = true;
        if (!state.responseStarted) {
            origin.armResponseTimeout(clock.now());
        }
    }

    /** Flushes what went to the backend; called once per client read batch. */
    public void flush() {
        if (unflushed) {
            unflushed = false;
            if (origin != null) {
                origin.channel().flush();
            }
        }
    }

    /** The client connection's writability changed: the backend reads only while the client can take more. */
    public void clientWritabilityChanged() {
        if (origin != null) {
            origin.pauseReads(!client.isWritable());
        }
    }

    public void originWritabilityChanged(boolean writable) {
        if (!writable && origin != null) {
            // This side may stop reading mid-batch, with no read-complete to flush what it wrote.
            origin.channel().flush();
        } else if (writable) {
            clientSide.takeHeld();
        }
    }

    /** Ends the loan: the connection no longer serves this client; null when there was none. */
    public OriginResponseReceiver release() {
        OriginResponseReceiver b = origin;
        origin = null;
        unflushed = false;
        return b;
    }
}
