package io.mesoslb.server.proxy.exchange;

/** Where the exchange on a client connection stands. */
enum Phase {
    /** Between requests. */
    IDLE,
    /** Request head routed; its credentials are being checked off the event loop. */
    AUTHENTICATING,
    /** Request head routed; waiting for a backend connection, not reading the body yet. */
    CONNECTING,
    /** Relaying the request body and/or the response. */
    PROXYING,
    /** Answered without a backend; dropping the rest of the request, then IDLE. */
    DISCARDING,
    /** Switched protocols: a tunnel relays the bytes; nothing here any more. */
    TUNNEL,
    CLOSED
}
