package io.mesoslb.server.proxy;

import io.mesoslb.core.BackendState;
import io.mesoslb.core.BasicAuth;
import io.mesoslb.core.HostNames;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.server.auth.AuthDecision;
import io.mesoslb.server.auth.BasicAuthGate;
import io.mesoslb.server.auth.BasicChallenge;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;

/**
 * Decides from a request head alone whether the request goes to a backend: well-formed, with a
 * Host, within the body limit, routed by the listener's {@link RouteFinder} (or the balancer's
 * health check), allowed, and with a backend to try. A request that fails a check is answered
 * through {@link Answers} at once.
 */
final class RequestAdmission implements RouteFinder.Refusals {
    /** Where requests that go to no backend are answered. */
    interface Answers {
        /** Answers with a short error; keeps the connection when the rest of the request can be skipped. */
        void reject(ProxyStatus why, HttpResponseStatus code, String text);

        /** Answers the balancer's health check. */
        void answerHealthCheck();

        /** Sends the client elsewhere. */
        void redirect(HttpResponseStatus code, String location);

        /** Answers 401 with this {@code WWW-Authenticate} challenge. */
        void challenge(String wwwAuthenticate);

        /** The request waits for its credentials to be checked off the event loop. */
        void awaitAuthentication(HttpRequest req);

        /** The verdict on credentials that were being checked; called on a hashing thread. */
        void authenticationDecided(AuthDecision d);
    }

    private final RouteTableHolder routes;
    private final RouteFinder finder;
    private final ProxySettings settings;
    private final ProxyOps ops;
    private final ExchangeObserver observer;
    private final Exchange exchange;
    private final Answers answers;

    RequestAdmission(RouteTableHolder routes, RouteFinder finder, ProxySettings settings, ProxyOps ops,
                     ExchangeObserver observer, Exchange exchange, Answers answers) {
        this.routes = routes;
        this.finder = finder;
        this.settings = settings;
        this.ops = ops;
        this.observer = observer;
        this.exchange = exchange;
        this.answers = answers;
    }

    /**
     * Checks {@code req}, recording what it asks for in the exchange (its route and host when
     * admitted).
     *
     * @return the first backend to try, or null when the request has been answered already
     */
    BackendState admit(HttpRequest req) {
        if (req.decoderResult().isFailure()) {
            ReferenceCountUtil.release(req);
            exchange.clientKeepAlive = false;
            rejectUndecodable(req.decoderResult().cause());
            return null;
        }
        exchange.requestHead(req);
        if (HttpMethod.CONNECT.equals(req.method())) {
            // A forward proxy's method: passed on, a backend's 200 would turn its pooled connection
            // into a raw tunnel. What follows it on this connection is not HTTP either.
            exchange.clientKeepAlive = false;
            answers.reject(ProxyStatus.BAD_REQUEST, HttpResponseStatus.NOT_IMPLEMENTED,
                    "CONNECT is not supported: this is a reverse proxy");
            return null;
        }
        RequestSyntax.Refusal refusal = RequestSyntax.check(req, exchange.requestConnection);
        if (refusal != null) {
            // Whatever follows on this connection may be framed the way the refused head meant.
            exchange.clientKeepAlive = false;
            answers.reject(ProxyStatus.BAD_REQUEST, refusal.status(), refusal.text());
            return null;
        }
        if ((exchange.requestConnection & HeaderScan.DUPLICATE_HOST) != 0) {
            // Which one a backend would believe is anyone's guess: the way to request smuggling.
            exchange.clientKeepAlive = false;
            answers.reject(ProxyStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST, "bad request: more than one Host header");
            return null;
        }
        if (!AbsoluteForm.normalise(req)) {
            exchange.clientKeepAlive = false;
            answers.reject(ProxyStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST, "bad request: no host in the request target");
            return null;
        }
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (host == null || host.isEmpty()) {
            answers.reject(ProxyStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST, "bad request: missing Host header");
            return null;
        }
        String lookupHost = HostHeader.decoded(host);
        if (lookupHost == null) {
            exchange.clientKeepAlive = false;
            answers.reject(ProxyStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST,
                    "bad request: Host is not UTF-8: " + host);
            return null;
        }
        long maxBody = settings.maxRequestBody();
        if (maxBody > 0 && exchange.contentLength > maxBody) {
            ReferenceCountUtil.release(req);
            answers.reject(ProxyStatus.REQUEST_TOO_LARGE, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body larger than " + maxBody + " bytes");
            return null;
        }
        RouteTable table = routes.current();
        Route r = finder.find(table, req, lookupHost);
        if (r == null && ops.isHealthCheck(req.uri())) {
            answers.answerHealthCheck();
            return null;
        }
        if (r == null) {
            r = finder.unrouted(table, req, host, lookupHost, this);
            if (r == null) {
                return null;
            }
        }
        observer.routed(r.appId());
        if (ops.forbids(r, observer.identity().client())) {
            answers.reject(ProxyStatus.FORBIDDEN, HttpResponseStatus.FORBIDDEN, "forbidden");
            return null;
        }
        if (r.httpsOnly() && finder.redirectsToHttps() && !secure(req)) {
            answers.redirect(HttpMethod.GET.equals(req.method()) || HttpMethod.HEAD.equals(req.method())
                    ? HttpResponseStatus.MOVED_PERMANENTLY : HttpResponseStatus.PERMANENT_REDIRECT, httpsUrl(host, req.uri()));
            return null;
        }
        String elsewhere = RouteRewrites.rootRedirect(r, req.uri());
        if (elsewhere != null) {
            answers.redirect(HttpResponseStatus.MOVED_PERMANENTLY, elsewhere);
            return null;
        }
        exchange.route = r;
        exchange.host = host;
        InetAddress client = observer.identity().client();
        exchange.clientHash = client == null ? 0 : client.hashCode();
        BasicAuth auth = r.options().auth();
        if (auth != null && !authenticated(req, auth)) {
            return null;
        }
        return choose(req, r);
    }

    @Override
    public void refuse(boolean trustConnection, ProxyStatus why, HttpResponseStatus code, String text) {
        if (!trustConnection) {
            exchange.clientKeepAlive = false;
        }
        answers.reject(why, code, text);
    }

    /**
     * The backend for an admitted request: the one its sticky cookie names while that one may take
     * it, else the route's balance mode's choice; null when there is none (answered 503).
     */
    BackendState choose(HttpRequest req, Route r) {
        BackendState first = null;
        if (r.sticky()) {
            String token = StickyCookie.read(req.headers());
            first = r.selectSticky(token);
            exchange.stickyToken = token == null ? "" : token;
        }
        if (first == null) {
            first = r.select(r.options().balance(), exchange.clientHash);
        }
        if (first == null) {
            answers.reject(ProxyStatus.NO_BACKEND, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "no backend available for app " + r.appId());
            return null;
        }
        return first;
    }

    /**
     * True when the request carries the route's credentials and they are known good. Otherwise it
     * has been answered (401, or 503 when they cannot be checked now), or the verdict is being
     * worked out off the event loop and comes to {@link Answers#authenticationDecided} later.
     */
    private boolean authenticated(HttpRequest req, BasicAuth auth) {
        BasicAuthGate gate = ops.auth();
        if (gate == null) {
            answers.reject(ProxyStatus.NO_BACKEND, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "authentication is not available");
            return false;
        }
        AuthDecision d = gate.check(auth.user(), auth.hash(), req.headers().get(HttpHeaderNames.AUTHORIZATION),
                answers::authenticationDecided);
        if (d == AuthDecision.PENDING) {
            answers.awaitAuthentication(req);
            return false;
        }
        return authenticationDecided(d, auth);
    }

    /** Answers a verdict other than ALLOW; true for ALLOW. */
    boolean authenticationDecided(AuthDecision d, BasicAuth auth) {
        switch (d) {
            case ALLOW:
                return true;
            case DENY:
                answers.challenge(BasicChallenge.headerValue(auth.realm()));
                return false;
            default:
                answers.reject(ProxyStatus.NO_BACKEND, HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "credentials cannot be checked now; try again");
                return false;
        }
    }

    /** Over TLS here, or at a trusted proxy that says so (an ELB terminating TLS). */
    private boolean secure(HttpRequest req) {
        if (ops.tls() != null) {
            return true;
        }
        return observer.identity().viaTrustedProxy()
                && "https".equalsIgnoreCase(req.headers().get(HeaderScan.X_FORWARDED_PROTO));
    }

    /** The same host (without a port: https's own) and target, over https. */
    private static String httpsUrl(String host, String target) {
        int end = HostNames.hostEnd(host);
        String name = end > 0 ? host.substring(0, end) : host;
        return "https://" + name + (target.startsWith("/") ? target : "/");
    }

    private void rejectUndecodable(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            answers.reject(ProxyStatus.REQUEST_TOO_LARGE, HttpResponseStatus.REQUEST_URI_TOO_LONG,
                    "request line longer than " + settings.maxInitialLineLength() + " bytes");
        } else if (cause instanceof TooLongHttpHeaderException) {
            answers.reject(ProxyStatus.REQUEST_TOO_LARGE, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "request headers larger than " + settings.maxHeaderSize() + " bytes");
        } else {
            answers.reject(ProxyStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST,
                    "bad request: " + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()));
        }
    }
}
