package io.mesoslb.server.auth;

/** What to do with a request to a route protected by basic auth. */
public enum AuthDecision {
    /** Proxy the request. */
    ALLOW,
    /** Answer 401 with {@link BasicChallenge#headerValue(String)} as {@code WWW-Authenticate}. */
    DENY,
    /**
     * The credentials are being verified off the event loop: hold the request; the decision comes to
     * the callback, exactly once. Only ever returned, never passed to the callback.
     */
    PENDING,
    /**
     * Answer 503 (with {@code Retry-After}): the hashing queue is full, or the route's hash cannot be
     * verified in this process. Not 401, which would tell a client with the right password that it is
     * wrong, and have browsers prompt again; and never ALLOW, so a route fails closed.
     */
    UNAVAILABLE
}
