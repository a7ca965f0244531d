package io.mesoslb.server.proxy;

/**
 * HTTP/2 from clients, validated. The header list limit is the proxy's {@code max-header-size}: one
 * limit on request headers whatever the version.
 *
 * @param overTls              offer {@code h2} in ALPN on the TLS listener (else only {@code http/1.1})
 * @param priorKnowledge       on the plain listeners, a connection that starts with the HTTP/2 preface
 *                             speaks h2c (without it the preface is refused as today)
 * @param maxConcurrentStreams streams a client may have open at once on one connection
 * @param initialWindowSize    request body bytes a stream may send ahead of the backend taking them
 */
public record Http2ClientSettings(boolean overTls, boolean priorKnowledge, int maxConcurrentStreams,
                                  int initialWindowSize) {
    public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
    /** RFC 9113's initial window. */
    public static final int DEFAULT_INITIAL_WINDOW_SIZE = 65_535;

    /** HTTP/1 only: neither ALPN nor prior knowledge. */
    public static final Http2ClientSettings OFF = new Http2ClientSettings(false, false, DEFAULT_MAX_CONCURRENT_STREAMS,
            DEFAULT_INITIAL_WINDOW_SIZE);

    /** True when a listener of this kind (TLS or plain) may speak HTTP/2. */
    public boolean on(boolean tls) {
        return tls ? overTls : priorKnowledge;
    }
}
