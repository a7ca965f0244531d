package io.mesoslb.server.proxy.origin;

/**
 * Where a backend channel comes from and goes back to around each exchange it carries: an HTTP/1.1
 * keep-alive connection returns to its loop's pool ({@link PooledConnection}); an HTTP/2 stream
 * carries one exchange and closes, its connection staying pooled ({@link H2Connection}).
 */
interface OriginLender {
    /** A request goes out on the channel next; {@code headRequest}: its response has no body, whatever it says. */
    void lend(boolean headRequest);

    /** The exchange on the channel of {@code receiver} is over; {@code reuse} when it ended cleanly. */
    void takeBack(OriginResponseReceiver receiver, boolean reuse);

    /** The channel of {@code receiver} closed while no exchange had it. */
    void closedWhileIdle(OriginResponseReceiver receiver);
}
