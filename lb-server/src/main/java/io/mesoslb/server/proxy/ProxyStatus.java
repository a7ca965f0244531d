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
    BAD_REQUEST
}
