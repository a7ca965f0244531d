package io.mesoslb.server.config;

import io.mesoslb.server.proxy.Http2ClientSettings;
import picocli.CommandLine.Option;

/** HTTP/2 from clients: which listeners speak it, and the limits of one connection. */
final class Http2Section {
    @Option(names = "--http2", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "offer h2 (besides http/1.1) in ALPN on the https port (default: ${DEFAULT-VALUE})")
    Boolean http2 = true;

    // Off: on a port reached directly by clients, an HTTP/1 client never sends the preface, and a
    // balancer in front must be known to speak h2c before the port is told to expect it.
    @Option(names = "--h2c-prior-knowledge", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "on the plain http ports (listen-port, app-id-port), a connection that starts with the "
                    + "HTTP/2 preface speaks HTTP/2 without TLS (an NLB or ELB in TCP mode, a mesh speaking h2c); "
                    + "other connections stay HTTP/1 (default: ${DEFAULT-VALUE})")
    Boolean h2cPriorKnowledge = false;

    @Option(names = "--http2-max-concurrent-streams", paramLabel = "<n>", description = "streams one HTTP/2 "
            + "connection may have open at once, as the client is told; past it and a slack of a tenth (at least 10, at "
            + "most as many) more are refused (default: ${DEFAULT-VALUE})")
    Integer maxConcurrentStreams = Http2ClientSettings.DEFAULT_MAX_CONCURRENT_STREAMS;

    @Option(names = "--http2-initial-window-size", paramLabel = "<bytes>", description = "request body a stream "
            + "may send before the backend takes it; the connection's window is this times the streams, so that "
            + "a stalled stream never stalls the others (default: ${DEFAULT-VALUE})")
    Integer initialWindowSize = Http2ClientSettings.DEFAULT_INITIAL_WINDOW_SIZE;

    Http2ClientSettings validate(ConfigProblems p) {
        int streams = p.range("http2-max-concurrent-streams", maxConcurrentStreams, 1, 10_000);
        // 16 KiB (one frame) at least; 16 MiB at most, a bound on what one stream can have buffered.
        int window = p.range("http2-initial-window-size", initialWindowSize, 16_384, 16 << 20);
        return new Http2ClientSettings(!Boolean.FALSE.equals(http2), Boolean.TRUE.equals(h2cPriorKnowledge), streams,
                window);
    }
}
