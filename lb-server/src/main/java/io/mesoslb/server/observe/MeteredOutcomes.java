package io.mesoslb.server.observe;

import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.proxy.ProxyStatus;
import io.mesoslb.server.proxy.RetryKind;

import io.mesoslb.core.BackendState;

/**
 * Counts each backend attempt in the metrics (per backend: attempts and errors; per app: retries),
 * then hands the outcome on. On the event loops: map lookups and adds only.
 */
public final class MeteredOutcomes implements BackendOutcomes {
    private final ProxyMetrics metrics;
    private final BackendOutcomes next;

    public MeteredOutcomes(ProxyMetrics metrics, BackendOutcomes next) {
        this.metrics = metrics;
        this.next = next;
    }

    @Override
    public void succeeded(BackendState backend) {
        metrics.backendOutcome(backend.backend(), false);
        next.succeeded(backend);
    }

    @Override
    public void responded(BackendState backend, int status) {
        metrics.backendOutcome(backend.backend(), status >= 500);
        next.responded(backend, status);
    }

    @Override
    public void failed(BackendState backend, ProxyStatus status) {
        metrics.backendOutcome(backend.backend(), true);
        next.failed(backend, status);
    }

    @Override
    public void retried(BackendState backend, RetryKind kind) {
        metrics.retried(backend.backend().appId(), kind);
        next.retried(backend, kind);
    }
}
