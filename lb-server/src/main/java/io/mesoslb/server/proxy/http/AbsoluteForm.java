package io.mesoslb.server.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Requests whose target is a whole URL ({@code GET http://www.example.com/a HTTP/1.1}). RFC 9112
 * section 3.2.2: the host in the target wins over the {@code Host} header, which must be ignored.
 * Routing by the header instead would let a client reach one app while the backend (which may
 * read the target) believes it is another. The backend gets the plain origin form, as nginx sends
 * it, since not every application server accepts a full URL.
 */
public final class AbsoluteForm {
    private AbsoluteForm() {
    }

    /**
     * Rewrites an absolute-form request in place: the target's authority becomes the {@code Host}
     * header and the target its path and query.
     *
     * @return false if the target is a URL without a usable host, which the caller answers with 400
     */
    public static boolean normalise(HttpRequest req) {
        String uri = req.uri();
        if (uri.isEmpty() || uri.charAt(0) == '/' || uri.charAt(0) == '*') {
            return true; // origin form (or OPTIONS *): the common case, one character looked at
        }
        int schemeEnd = schemeEnd(uri);
        if (schemeEnd < 0) {
            return false; // RequestSyntax lets no other form through; refuse rather than guess
        }
        int authorityStart = schemeEnd + 3;
        int authorityEnd = authorityStart;
        while (authorityEnd < uri.length() && "/?#".indexOf(uri.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String authority = uri.substring(authorityStart, authorityEnd);
        // userinfo ("user:pass@host") has no place in a request target (RFC 9110 section 4.2.4).
        if (authority.isEmpty() || authority.indexOf('@') >= 0) {
            return false;
        }
        String rest = uri.substring(authorityEnd);
        int fragment = rest.indexOf('#');
        if (fragment >= 0) {
            rest = rest.substring(0, fragment);
        }
        if (rest.isEmpty()) {
            rest = HttpMethod.OPTIONS.equals(req.method()) ? "*" : "/";
        } else if (rest.charAt(0) == '?') {
            rest = "/" + rest;
        }
        req.setUri(rest);
        req.headers().set(HttpHeaderNames.HOST, authority);
        return true;
    }

    /** True when {@code uri} begins with {@code http://} or {@code https://} (any case). */
    public static boolean isHttpUrl(String uri) {
        return schemeEnd(uri) > 0;
    }

    /** The index of "://" after an http or https scheme (any case), or -1. */
    private static int schemeEnd(String uri) {
        int i = uri.indexOf("://");
        if (i == 4 && uri.regionMatches(true, 0, "http", 0, 4)) {
            return i;
        }
        if (i == 5 && uri.regionMatches(true, 0, "https", 0, 5)) {
            return i;
        }
        return -1;
    }
}
