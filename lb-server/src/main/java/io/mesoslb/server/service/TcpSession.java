package io.mesoslb.server.service;

import io.mesoslb.core.Backend;
import io.mesoslb.core.BackendState;
import io.mesoslb.server.observe.AccessLog;
import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.proxy.ProxyStatus;
import io.mesoslb.server.proxy.tunnel.TunnelObserver;
import java.io.IOException;
import java.net.InetAddress;

/**
 * One connection to a TCP service port, from accept to close: its access-log line (client,
 * backend, bytes each way, duration, how it ended), its port's meters, and the backend's outcome
 * when the backend reset the connection.
 *
 * <p>One per connection, touched only on its event loop.
 */
final class TcpSession implements TunnelObserver {
    private final int port;
    private final ServicePortMetrics.Port meters;
    private final AccessLog accessLog;
    private final BackendOutcomes outcomes;
    private long startNanos;
    private long startMillis;
    private String appId;
    private InetAddress client;
    private BackendState backend;
    private long bytesIn;
    private long bytesOut;
    private boolean ended;

    /** @param accessLog the access log, or null when it is off */
    TcpSession(int port, ServicePortMetrics.Port meters, AccessLog accessLog, BackendOutcomes outcomes) {
        this.port = port;
        this.meters = meters;
        this.accessLog = accessLog;
        this.outcomes = outcomes;
    }

    void started(String appId, InetAddress client) {
        this.appId = appId;
        this.client = client;
        startNanos = System.nanoTime();
        startMillis = System.currentTimeMillis();
        if (meters != null) {
            meters.active.incrementAndGet();
        }
    }

    void refused(String why) {
        if (meters != null) {
            meters.refused.increment();
        }
        end("refused: " + why);
    }

    void connectFailed() {
        if (meters != null) {
            meters.connectFailures.increment();
        }
    }

    void connected(BackendState backend) {
        this.backend = backend;
    }

    /** Ended before any relaying: no backend could be connected, or the client left first. */
    void ended(String how) {
        if (meters != null) {
            meters.failed.increment();
        }
        end(how);
    }

    @Override
    public void relayed(boolean fromClient, int bytes) {
        if (fromClient) {
            bytesIn += bytes;
        } else {
            bytesOut += bytes;
        }
    }

    @Override
    public void closed(String how, Throwable originFailure) {
        if (originFailure instanceof IOException && backend != null) {
            // A reset from the backend counts against it, as a reset before an HTTP response does.
            outcomes.failed(backend, ProxyStatus.BACKEND_RESET);
        }
        if (meters != null) {
            meters.relayed.increment();
            meters.bytesIn.increment(bytesIn);
            meters.bytesOut.increment(bytesOut);
        }
        end(how);
    }

    private void end(String how) {
        if (ended) {
            return;
        }
        ended = true;
        if (meters != null) {
            meters.active.decrementAndGet();
        }
        if (accessLog != null) {
            Backend b = backend == null ? null : backend.backend();
            accessLog.logConnection(client, startMillis, port, appId, b == null ? null : b.address(), bytesIn, bytesOut,
                    System.nanoTime() - startNanos, how);
        }
    }
}
