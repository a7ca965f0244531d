package io.mesoslb.server.proxy.exchange;

import io.mesoslb.server.auth.AuthDecision;
import io.mesoslb.server.auth.BasicAuthGate;
import io.mesoslb.server.auth.BasicChallenge;
import io.mesoslb.server.observe.ExchangeObserver;
import io.mesoslb.server.proxy.ProxyOps;
import io.mesoslb.server.proxy.ProxySettings;
import io.mesoslb.server.proxy.ProxyStatus;
import io.mesoslb.server.proxy.http.AbsoluteForm;
import io.mesoslb.server.proxy.http.HeaderScan;
import io.mesoslb.server.proxy.http.HostHeader;
import io.mesoslb.server.proxy.http.RequestSyntax;
import io.mesoslb.server.proxy.http.RouteRewrites;
import io.mesoslb.server.routes.RouteFinder;

import io.mesoslb.core.BasicAuth;
import io.mesoslb.core.HostNames;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.RouteTableHolder;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.util.function.Consumer;

/**
 * Decides from a request head alone whether the request goes to a backend: well-formed, with a
 * Host, within the body limit, routed by the listener's {@link RouteFinder} (or the balancer's
 * health check), allowed, and with its credentials when the route asks for them. The answer is a
 * {@link Verdict}; which backend takes an admitted request is the origin side's choice.
 */
final class RequestAdmission {
    private final RouteTableHolder routes;
    private final RouteFinder finder;
    private final ProxySettings settings;
    private final ProxyOps ops;
    private final ExchangeObserver observer;
    private final ExchangeState exchange;

    RequestAdmission(RouteTableHolder routes, RouteFinder finder, ProxySettings settings, ProxyOps ops,
                     ExchangeObserver observer, ExchangeState exchange) {
        this.routes = routes;
        this.finder = finder;
        this.settings = settings;
        this.ops = ops;
        this.observer = observer;
        this.exchange = exchange;
    }

    /**
     * Checks {@code req}, recording what it asks for in the exchange (its route and host when
     * admitted). A request refused here has been released where the proxy will not read it again.
     *
     * @param onCredentials where the verdict on credentials checked off the event loop goes (on a
     *                      hashing thread), after {@link Verdict#AUTHENTICATE}
     */
    Verdict admit(HttpRequest req, Consumer<AuthDecision> onCredentials) {
        if (req.decoderResult().isFailure()) {
            ReferenceCountUtil.release(req);
            return undecodable(req.decoderResult().cause());
        }
        exchange.requestHead(req);
        if (HttpMethod.CONNECT.equals(req.method())) {
            // A forward proxy's method: passed on, a backend's 200 would turn its pooled connection
            // into a raw tunnel. What follows it on this connection is not HTTP either.
            RequestSyntax.Refusal connect = RequestSyntax.connect(req);
            return Verdict.refuseAndClose(ProxyStatus.BAD_REQUEST, connect.status(), connect.text());
        }
        RequestSyntax.Refusal refusal = RequestSyntax.check(req, exchange.requestConnection);
        if (refusal != null) {
            // Whatever follows on this connection may be framed the way the refused head meant.
            return Verdict.refuseAndClose(ProxyStatus.BAD_REQUEST, refusal.status(), refusal.text());
        }
        if ((exchange.requestConnection & HeaderScan.DUPLICATE_HOST) != 0) {
            // Which one a backend would believe is anyone's guess: the way to request smuggling.
            return Verdict.refuseAndClose(ProxyStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST,
                    "bad request: more than one Host header");
        }
        if (!AbsoluteForm.normalise(req)) {
            return Verdict.refuseAndClose(ProxyStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST,
                    "bad request: no host in the request target");
        }
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (host == null || host.isEmpty()) {
            return Verdict.refuse(ProxyStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST, "bad request: missing Host header");
        }
        String lookupHost = HostHeader.decoded(host);
        if (lookupHost == null) {
            return Verdict.refuseAndClose(ProxyStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST,
                    "bad request: Host is not UTF-8: " + host);
        }
        long maxBody = settings.maxRequestBody();
        if (maxBody > 0 && exchange.contentLength > maxBody) {
            ReferenceCountUtil.release(req);
            return Verdict.refuse(ProxyStatus.REQUEST_TOO_LARGE, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body larger than " + maxBody + " bytes");
        }
        RouteTable table = routes.current();
        Route r = finder.find(table, req, lookupHost);
        if (r == null && ops.isHealthCheck(req.uri())) {
            return Verdict.HEALTH_CHECK;
        }
        if (r == null) {
            r = finder.fallback(table);
            if (r == null) {
                return finder.refusal(req, host, lookupHost);
            }
        }
        observer.routed(r.appId());
        if (ops.forbids(r, observer.identity().client())) {
            return Verdict.refuse(ProxyStatus.FORBIDDEN, HttpResponseStatus.FORBIDDEN, "forbidden");
        }
        if (r.httpsOnly() && finder.redirectsToHttps() && !secure(req)) {
            return Verdict.redirect(HttpMethod.GET.equals(req.method()) || HttpMethod.HEAD.equals(req.method())
                    ? HttpResponseStatus.MOVED_PERMANENTLY : HttpResponseStatus.PERMANENT_REDIRECT, httpsUrl(host, req.uri()));
        }
        String elsewhere = RouteRewrites.rootRedirect(r, req.uri());
        if (elsewhere != null) {
            return Verdict.redirect(HttpResponseStatus.MOVED_PERMANENTLY, elsewhere);
        }
        exchange.route = r;
        exchange.host = host;
        InetAddress client = observer.identity().client();
        exchange.clientHash = client == null ? 0 : client.hashCode();
        BasicAuth auth = r.options().auth();
        return auth == null ? Verdict.ADMIT : authenticate(req, auth, onCredentials);
    }

    /**
     * Checks the request's credentials: known good, known bad, or being worked out off the event
     * loop ({@link Verdict#AUTHENTICATE}, the decision going to {@code onCredentials} later).
     */
    private Verdict authenticate(HttpRequest req, BasicAuth auth, Consumer<AuthDecision> onCredentials) {
        BasicAuthGate gate = ops.auth();
        if (gate == null) {
            return Verdict.refuse(ProxyStatus.NO_BACKEND, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "authentication is not available");
        }
        AuthDecision d = gate.check(auth.user(), auth.hash(), req.headers().get(HttpHeaderNames.AUTHORIZATION),
                onCredentials);
        return d == AuthDecision.PENDING ? Verdict.AUTHENTICATE : credentials(d);
    }

    /** The verdict for the exchange's route once its credentials are decided. */
    Verdict credentials(AuthDecision d) {
        switch (d) {
            case ALLOW:
                return Verdict.ADMIT;
            case DENY:
                return Verdict.challenge(BasicChallenge.headerValue(exchange.route.options().auth().realm()));
            default:
                return Verdict.refuse(ProxyStatus.NO_BACKEND, HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "credentials cannot be checked now; try again");
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

    private Verdict undecodable(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return Verdict.refuseAndClose(ProxyStatus.REQUEST_TOO_LARGE, HttpResponseStatus.REQUEST_URI_TOO_LONG,
                    "request line longer than " + settings.maxInitialLineLength() + " bytes");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return Verdict.refuseAndClose(ProxyStatus.REQUEST_TOO_LARGE, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "request headers larger than " + settings.maxHeaderSize() + " bytes");
        }
        return Verdict.refuseAndClose(ProxyStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST,
                "bad request: " + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()));
    }
}
