package io.mesoslb.core;

/** How a request to a backend failed, as far as passive health is concerned. */
public enum FailureKind {
    /** The TCP (or TLS) connection could not be established. */
    CONNECT_FAILURE(true),
    /** The connection was reset or closed before a complete response. */
    RESET(true),
    /** No (complete) response within the deadline. */
    TIMEOUT(true),
    /** The backend itself answered 502, 503 or 504. */
    GATEWAY_ERROR(true),
    /** The backend answered another 5xx: it is reachable but erring. */
    SERVER_ERROR_5XX(false);

    private final boolean gatewayFailure;

    FailureKind(boolean gatewayFailure) {
        this.gatewayFailure = gatewayFailure;
    }

    /**
     * True for failures that say the backend is unreachable or unable to serve at all (Envoy's
     * "gateway failures"); these count towards {@link OutlierPolicy#consecutiveFailures()}.
     */
    public boolean isGatewayFailure() {
        return gatewayFailure;
    }

    /**
     * The failure a backend's response status represents.
     *
     * @return {@link #GATEWAY_ERROR} for 502-504, {@link #SERVER_ERROR_5XX} for other 5xx, null for
     *     anything else (a success as far as health goes)
     */
    public static FailureKind ofStatus(int status) {
        if (status >= 502 && status <= 504) {
            return GATEWAY_ERROR;
        }
        return status >= 500 && status <= 599 ? SERVER_ERROR_5XX : null;
    }
}
