package io.mesoslb.server.testing;

import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.proxy.ProxyStatus;

import io.mesoslb.core.Backend;
import io.mesoslb.core.BackendState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every backend outcome the proxy reports, in order. */
public final class OutcomeRecorder implements BackendOutcomes {
    /** One report; {@code status} is null for a response, whose HTTP status is then {@code code}. */
    public record Outcome(Backend backend, ProxyStatus status, int code) {
    }

    public final List<Outcome> outcomes = new CopyOnWriteArrayList<>();

    @Override
    public void succeeded(BackendState backend) {
        outcomes.add(new Outcome(backend.backend(), null, 200));
    }

    @Override
    public void responded(BackendState backend, int status) {
        outcomes.add(new Outcome(backend.backend(), null, status));
    }

    @Override
    public void failed(BackendState backend, ProxyStatus status) {
        outcomes.add(new Outcome(backend.backend(), status, 0));
    }

    /** Failures reported against {@code backend} (connect failures, resets, timeouts). */
    public long failures(Backend backend) {
        return outcomes.stream().filter(o -> o.backend().equals(backend) && o.status() != null).count();
    }

    public long failures() {
        return outcomes.stream().filter(o -> o.status() != null).count();
    }
}
