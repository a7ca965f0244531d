package io.mesoslb.server.proxy;

import io.mesoslb.server.proxy.http.Retries;

import java.time.Duration;

/**
 * What the data plane needs from the configuration, already validated.
 *
 * @param connectTimeout       backend connect timeout
 * @param responseTimeout      time a backend has to send response headers once the request is sent
 * @param clientIdleTimeout    a client connection with no traffic for this long is closed
 * @param backendIdleTimeout   a pooled backend connection unused for this long is closed
 * @param maxIdlePerBackend    pooled connections kept per backend on each event loop
 * @param maxInitialLineLength longest request line (and backend status line) accepted
 * @param maxHeaderSize        largest header block accepted
 * @param defaultApp           app id that serves hosts no route claims, or null for 404
 * @param connectRetries       other backends tried after a connect failure, or after a reset before any
 *                             response to a request that may be sent again ({@link Retries})
 * @param writeBufferLow       low water mark of every channel's outbound buffer
 * @param writeBufferHigh      high water mark: above it the peer stops reading
 * @param requestHeaderTimeout time a client has to send a complete request head once it started
 *                             one (or connected); {@link Duration#ZERO} disables
 * @param requestTimeout       time a whole exchange may take, request head to response end, before
 *                             408 or 504; {@link Duration#ZERO} (the default) disables
 * @param maxRequestBody       largest request body accepted (413), 0 for no limit
 */
public record ProxySettings(Duration connectTimeout, Duration responseTimeout, Duration clientIdleTimeout,
                            Duration backendIdleTimeout, int maxIdlePerBackend, int maxInitialLineLength,
                            int maxHeaderSize, String defaultApp, int connectRetries, int writeBufferLow,
                            int writeBufferHigh,
                            Duration requestHeaderTimeout, Duration requestTimeout, long maxRequestBody) {
    /** Largest body piece the codecs hand over at once; bodies of any size stream in pieces of this. */
    public static final int MAX_CHUNK_SIZE = 64 * 1024;
}
