package io.mesoslb.server.proxy;

/** Why a request (or a TCP connection) went to a backend once more: the {@code kind} label of {@code mesoslb_retries_total}. */
public enum RetryKind {
    /** a connect failed; another backend is tried (any method, and TCP service ports) */
    CONNECT("connect"),
    /** the backend closed or reset before answering a replayable request; another backend gets it */
    REPLAY("replay"),
    /** a pooled keep-alive connection had gone stale; the same backend on a new connection, no retry used */
    STALE_CONNECTION("stale_connection");

    private final String label;

    RetryKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
