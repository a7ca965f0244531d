package io.mesoslb.core;

/**
 * What a route's backends speak. Discovery reads it from whatever label language the app uses; the
 * data plane keeps a pool of each kind of backend connection.
 */
public enum BackendProtocol {
    /** HTTP/1.1, one request at a time per keep-alive connection; the default. */
    HTTP1,
    /**
     * HTTP/2 over cleartext with prior knowledge (no upgrade dance): the backend speaks HTTP/2 from its
     * first byte, as gRPC servers do. Requests are streams multiplexed over few connections.
     */
    H2C
}
