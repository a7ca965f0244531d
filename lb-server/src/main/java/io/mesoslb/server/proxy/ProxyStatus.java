package io.mesoslb.server.proxy;

/** How one proxied request ended; drives health reporting now and metrics and access logs later. */
public enum ProxyStatus {
    SUCCESS,
    NO_ROUTE,
    NO_BACKEND,
    CONNECT_FAILED,
    CONNECT_TIMEOUT,
    BACKEND_RESET,
    BACKEND_TIMEOUT,
    CLIENT_CLOSED,
    BAD_REQUEST,
    /**
     * The client was too slow: request head (408), or the whole request under request-timeout; or the
     * client's own deadline for the exchange ({@code grpc-timeout}) passed (504).
     */
    REQUEST_TIMEOUT,
    /** Request line (414), header block (431) or body (413) over its limit. */
    REQUEST_TOO_LARGE,
    /** Answered the balancer's health check on the proxy listener. */
    HEALTH_CHECK,
    /** An admin vhost, or a route with allowed networks, refused a client outside them. */
    FORBIDDEN,
    /** A route with basic auth was asked without its credentials, or with wrong ones (401). */
    UNAUTHORIZED,
    /** A plain-http request to an https-only app, sent to https. */
    REDIRECTED;

    /** True for the ways a backend fails a request, the ones passive health counts against it. */
    public boolean isBackendFailure() {
        return this == CONNECT_FAILED || this == CONNECT_TIMEOUT || this == BACKEND_RESET || this == BACKEND_TIMEOUT;
    }
}
