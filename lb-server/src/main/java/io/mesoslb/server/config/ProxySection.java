package io.mesoslb.server.config;

import io.mesoslb.server.proxy.ProxySettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The data plane's timeouts and limits, towards backends and towards clients. */
final class ProxySection {
    @Option(names = "--connect-timeout", paramLabel = "<duration>", description = "backend connect timeout (default: ${DEFAULT-VALUE})")
    String connectTimeout = "5s";

    @Option(names = "--response-timeout", paramLabel = "<duration>", description = "backend silence allowed: to the "
            + "response head, then between two reads of the body (default: ${DEFAULT-VALUE})")
    String responseTimeout = "60s";

    @Option(names = "--backend-idle-timeout", paramLabel = "<duration>",
            description = "close unused pooled backend connections (default: ${DEFAULT-VALUE})")
    String backendIdleTimeout = "60s";

    @Option(names = "--max-idle-per-backend", paramLabel = "<n>",
            description = "pooled connections per backend per thread (default: ${DEFAULT-VALUE})")
    Integer maxIdlePerBackend = 32;

    @Option(names = "--connect-retries", paramLabel = "<n>", description = "other backends tried after a connect "
            + "failure, or after a reset before any response to a GET/HEAD/OPTIONS without body (default: ${DEFAULT-VALUE})")
    Integer connectRetries = 1;

    // Room for a 64 KiB read and the next one while the peer drains; with 32/64 KiB a 64 KiB
    // response stalled reads every time (benchmarks/load/README.md, "Write buffer").
    @Option(names = "--write-buffer-low", paramLabel = "<bytes>", description = "a connection's outbound buffer "
            + "drained to this resumes reading its peer (default: ${DEFAULT-VALUE})")
    Integer writeBufferLow = 128 * 1024;

    @Option(names = "--write-buffer-high", paramLabel = "<bytes>", description = "a connection's outbound buffer "
            + "above this pauses reading its peer: at most this much is held per slow reader (default: ${DEFAULT-VALUE})")
    Integer writeBufferHigh = 256 * 1024;

    @Option(names = "--request-header-timeout", paramLabel = "<duration>", description = "a started request head "
            + "must be complete within this, else 408; also the time a new connection has to start one; 0s: off "
            + "(default: ${DEFAULT-VALUE})")
    String requestHeaderTimeout = "10s";

    @Option(names = "--request-timeout", paramLabel = "<duration>", description = "whole exchange, head to end of "
            + "response: 408 while the client sends, 504 while waiting for the backend; 0s: off (default: ${DEFAULT-VALUE})")
    String requestTimeout = "0s";

    @Option(names = "--client-idle-timeout", paramLabel = "<duration>",
            description = "close idle client connections (default: ${DEFAULT-VALUE})")
    String clientIdleTimeout = "120s";

    @Option(names = "--max-initial-line-length", paramLabel = "<bytes>",
            description = "longest request line accepted (default: ${DEFAULT-VALUE})")
    Integer maxInitialLineLength = 8192;

    @Option(names = "--max-header-size", paramLabel = "<bytes>",
            description = "largest header block accepted (default: ${DEFAULT-VALUE})")
    Integer maxHeaderSize = 16384;

    @Option(names = "--max-request-body", paramLabel = "<bytes>", description = "larger bodies get 413, before any "
            + "backend is contacted when Content-Length says so; 0: no limit (default: ${DEFAULT-VALUE})")
    Long maxRequestBody = 0L;

    /** @param defaultApp the routing section's default app, or null; the proxy serves it */
    ProxySettings validate(ConfigProblems p, String defaultApp) {
        Duration connect = p.duration("connect-timeout", connectTimeout, false);
        Duration response = p.duration("response-timeout", responseTimeout, false);
        Duration clientIdle = p.duration("client-idle-timeout", clientIdleTimeout, false);
        Duration backendIdle = p.duration("backend-idle-timeout", backendIdleTimeout, false);
        int maxIdle = p.range("max-idle-per-backend", maxIdlePerBackend, 0, 100_000);
        int maxLine = p.range("max-initial-line-length", maxInitialLineLength, 256, 1 << 20);
        int maxHeader = p.range("max-header-size", maxHeaderSize, 1024, 1 << 20);
        int retries = p.range("connect-retries", connectRetries, 0, 10);
        int low = p.range("write-buffer-low", writeBufferLow, 1024, 64 << 20);
        int high = p.range("write-buffer-high", writeBufferHigh, 1024, 64 << 20);
        if (low > high) {
            p.add("write-buffer-low (" + low + ") must not exceed write-buffer-high (" + high + ")");
        }
        Duration headerTimeout = p.duration("request-header-timeout", requestHeaderTimeout, true);
        Duration total = p.duration("request-timeout", requestTimeout, true);
        long maxBody = maxRequestBody == null ? 0 : maxRequestBody;
        if (maxBody < 0) {
            p.add("max-request-body must be 0 (no limit) or more, got " + maxBody);
        }
        return new ProxySettings(connect, response, clientIdle, backendIdle, maxIdle, maxLine, maxHeader, defaultApp,
                retries, low, high, headerTimeout, total, maxBody);
    }
}
