package io.mesoslb.server.proxy;

import io.mesoslb.core.BackendState;

/**
 * Where the data plane reports how each backend answered, called on the event loop of the request.
 * Passive health (outlier ejection) plugs in here; implementations must not block.
 */
public interface BackendOutcomes {
    BackendOutcomes NONE = new BackendOutcomes() {
        @Override
        public void succeeded(BackendState backend) {
        }

        @Override
        public void failed(BackendState backend, ProxyStatus status) {
        }
    };

    /** The backend produced a complete response. */
    void succeeded(BackendState backend);

    /**
     * The backend produced a complete response with this status; passive health counts 5xx here.
     * By default the same as {@link #succeeded}.
     */
    default void responded(BackendState backend, int status) {
        succeeded(backend);
    }

    /** The backend could not be reached or failed the request ({@code status} says how). */
    void failed(BackendState backend, ProxyStatus status);

    /** The request (or TCP connection) is sent once more, to {@code next}, for the reason {@code kind}. */
    default void retried(BackendState next, RetryKind kind) {
    }
}
