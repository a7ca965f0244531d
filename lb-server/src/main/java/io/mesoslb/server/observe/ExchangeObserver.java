package io.mesoslb.server.observe;

import io.mesoslb.server.proxy.ProxyOps;

import io.mesoslb.core.Backend;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Watches the exchanges of one client connection, to count them in the metrics and write the
 * access log: the frontend taking up a request head starts an exchange (pipelined requests wait in
 * the frontend, so they are taken up in their turn), the final response's last content ends it. The
 * exchange tells it of every response message it writes to the client, relayed or made up by the
 * proxy, as it writes it, and of the client's leaving: plain calls from the one owner of the
 * client's writes, not a handler every message passes through. It also works out who the client of
 * each request is.
 *
 * <p>One per connection, reused for every exchange on it; touched only from its event loop.
 */
public final class ExchangeObserver {
    /** Logged when the client went away before any response: nginx's "client closed request". */
    public static final int CLIENT_CLOSED = 499;

    private final ProxyMetrics metrics;
    private final AccessLog accessLog;
    private final ClientIdentity identity;
    /** The protocol every exchange here is logged with, or null for the request's own version. */
    private final String connectionProtocol;

    // The exchange in flight.
    private boolean open;
    private long startNanos;
    private long startMillis;
    private String method;
    private String uri;
    private String protocol;
    private String host;
    private String referer;
    private String userAgent;
    private String appId;
    private Backend backend;
    private int status;
    private long bytes;
    private boolean headRequest;

    public ExchangeObserver(ProxyOps ops) {
        this(ops, null);
    }

    /**
     * @param protocol what the access log says the client spoke ({@code HTTP/2.0} for a stream, whose
     *                 request reaches the exchange as HTTP/1.1), or null for the request's version
     */
    public ExchangeObserver(ProxyOps ops, String protocol) {
        this.connectionProtocol = protocol;
        this.metrics = ops.metrics();
        this.accessLog = ops.accessLog() != null && ops.accessLog().isEnabled() ? ops.accessLog() : null;
        this.identity = new ClientIdentity(ops.clients());
    }

    /**
     * Whether the exchange in flight answers a HEAD request: its response has headers only, whatever
     * they say of a body. Kept here, the one place that sees every request taken up.
     */
    public boolean headRequest() {
        return headRequest;
    }

    public ClientIdentity identity() {
        return identity;
    }

    /** The exchange in flight was routed to this app. */
    public void routed(String app) {
        appId = app;
    }

    /** The exchange in flight was sent to this backend (the last one tried, when retried). */
    public void sentTo(Backend b) {
        backend = b;
    }

    /**
     * The frontend takes up {@code req}: an exchange starts.
     *
     * @param nowNanos {@link System#nanoTime()} as the frontend read it
     */
    public void begin(Channel client, HttpRequest req, long nowNanos) {
        if (open) {
            end(CLIENT_CLOSED);
        }
        start(nowNanos);
        // The codec drops any body of a response to HEAD; so must the count.
        headRequest = HttpMethod.HEAD.equals(req.method());
        HttpHeaders h = req.headers();
        identity.resolve(client, h);
        if (accessLog != null) {
            // References only: the frontend rewrites the headers once it has routed the request.
            method = req.method().name();
            uri = req.uri();
            protocol = connectionProtocol != null ? connectionProtocol : req.protocolVersion().text();
            host = h.get(HttpHeaderNames.HOST);
            referer = h.get(HttpHeaderNames.REFERER);
            userAgent = h.get(HttpHeaderNames.USER_AGENT);
        }
    }

    private void start(long nowNanos) {
        open = true;
        startNanos = nowNanos;
        if (accessLog != null) {
            startMillis = System.currentTimeMillis();
        }
        appId = null;
        backend = null;
        status = 0;
        bytes = 0;
        headRequest = false;
    }

    /** {@code msg} is being written to the client; called before the write, which may release it. */
    public void written(Object msg) {
        if (msg instanceof HttpResponse response && !responseHead(response.status().code())) {
            // A 1xx, which goes out whole (head and end in one message): not the exchange's response.
            return;
        }
        if (msg instanceof HttpContent content && open) {
            if (!headRequest) {
                bytes += content.content().readableBytes();
            }
            if (msg instanceof LastHttpContent) {
                end(status);
            }
        }
    }

    /** Takes in a response head; false for a 1xx, which is not the final response. */
    private boolean responseHead(int code) {
        if (code >= 100 && code < 200 && code != 101) {
            return false;
        }
        if (!open) {
            // Answered before a request head was complete (e.g. a header timeout).
            start(System.nanoTime());
        }
        status = code;
        if (code == 101) {
            // A tunnel: what follows is not HTTP, so the exchange ends with the switch.
            end(code);
        }
        return true;
    }

    /** The client connection closed: an exchange in flight ends with what was sent of it, or as 499. */
    public void clientClosed() {
        if (open) {
            end(status != 0 ? status : CLIENT_CLOSED);
        }
    }

    private void end(int code) {
        open = false;
        long duration = System.nanoTime() - startNanos;
        if (metrics != null) {
            RouteMeters meters = metrics.route(appId);
            meters.record(code, duration);
        }
        if (accessLog != null) {
            accessLog.log(identity.client(), startMillis, method, uri, protocol, code, bytes, referer, userAgent, host,
                    appId, backend == null ? null : backend.address(), duration);
        }
        method = uri = protocol = host = referer = userAgent = null;
    }
}
