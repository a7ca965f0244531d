package io.mesoslb.server.proxy.exchange;

import io.mesoslb.server.proxy.ProxyStatus;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * What {@link RequestAdmission} decided about a request head: go on to a backend, wait for its
 * credentials to be checked, or be answered here. The common verdicts are constants, so an admitted
 * request allocates none.
 *
 * @param kind            what happens next
 * @param why             how the exchange ends, for an answer
 * @param code            the status of an answer
 * @param text            the error text, the redirect's location or the {@code WWW-Authenticate} challenge
 * @param trustConnection false when nothing more on the connection is to be believed, so it closes
 *                        after the answer
 */
public record Verdict(Kind kind, ProxyStatus why, HttpResponseStatus code, String text, boolean trustConnection) {
    public enum Kind {
        /** Routed and allowed: on to a backend. */
        ADMIT,
        /** Credentials are being checked off the event loop; the verdict on them comes later. */
        AUTHENTICATE,
        /** Answered with a short error. */
        REFUSE,
        /** Answered with the balancer's health check. */
        HEALTH_CHECK,
        /** Sent elsewhere ({@code text} is the location). */
        REDIRECT,
        /** Answered 401 ({@code text} is the challenge). */
        CHALLENGE
    }

    public static final Verdict ADMIT = new Verdict(Kind.ADMIT, null, null, null, true);
    public static final Verdict AUTHENTICATE = new Verdict(Kind.AUTHENTICATE, null, null, null, true);
    public static final Verdict HEALTH_CHECK = new Verdict(Kind.HEALTH_CHECK, ProxyStatus.HEALTH_CHECK,
            HttpResponseStatus.OK, null, true);

    /** An error answer after which the connection may carry the next request. */
    public static Verdict refuse(ProxyStatus why, HttpResponseStatus code, String text) {
        return new Verdict(Kind.REFUSE, why, code, text, true);
    }

    /** An error answer after which the connection closes: what follows may be framed as the refused head meant. */
    public static Verdict refuseAndClose(ProxyStatus why, HttpResponseStatus code, String text) {
        return new Verdict(Kind.REFUSE, why, code, text, false);
    }

    public static Verdict redirect(HttpResponseStatus code, String location) {
        return new Verdict(Kind.REDIRECT, ProxyStatus.REDIRECTED, code, location, true);
    }

    public static Verdict challenge(String wwwAuthenticate) {
        return new Verdict(Kind.CHALLENGE, ProxyStatus.UNAUTHORIZED, HttpResponseStatus.UNAUTHORIZED, wwwAuthenticate,
                true);
    }
}
