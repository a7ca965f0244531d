package io.mesoslb.server.health;

import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.proxy.ProxyStatus;
import io.mesoslb.server.proxy.RetryKind;

import io.mesoslb.core.BackendState;
import io.mesoslb.core.FailureKind;
import io.mesoslb.core.OutlierDetector;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTableHolder;

/**
 * Feeds the data plane's per-request outcomes to the {@link OutlierDetector}, then hands them on
 * to the next listener (metrics, tests). Runs on the event loops: no locks, no allocation.
 *
 * <p>The detector caps ejections per app, so it needs the backend's route. The outcome does not
 * carry one; the live table's route for the backend's app is the right one anyway, since backend
 * states carry over from one table to the next.
 */
public final class PassiveHealth implements BackendOutcomes {
    private final RouteTableHolder routes;
    private final OutlierDetector detector;
    private final BackendOutcomes next;

    public PassiveHealth(RouteTableHolder routes, OutlierDetector detector, BackendOutcomes next) {
        this.routes = routes;
        this.detector = detector;
        this.next = next;
    }

    @Override
    public void succeeded(BackendState backend) {
        responded(backend, 200);
    }

    @Override
    public void responded(BackendState backend, int status) {
        Route route = routes.current().routeForApp(backend.backend().appId());
        if (route != null) {
            FailureKind kind = FailureKind.ofStatus(status);
            if (kind == null) {
                detector.reportSuccess(route, backend);
            } else {
                detector.reportFailure(route, backend, kind);
            }
        }
        next.responded(backend, status);
    }

    @Override
    public void retried(BackendState backend, RetryKind kind) {
        next.retried(backend, kind);
    }

    @Override
    public void failed(BackendState backend, ProxyStatus status) {
        FailureKind kind = failureKind(status);
        Route route = kind == null ? null : routes.current().routeForApp(backend.backend().appId());
        if (route != null) {
            detector.reportFailure(route, backend, kind);
        }
        next.failed(backend, status);
    }

    /** How passive health sees a failed exchange; null for outcomes that are not the backend's doing. */
    static FailureKind failureKind(ProxyStatus status) {
        switch (status) {
            case CONNECT_FAILED:
            case CONNECT_TIMEOUT:
                return FailureKind.CONNECT_FAILURE;
            case BACKEND_RESET:
                return FailureKind.RESET;
            case BACKEND_TIMEOUT:
                return FailureKind.TIMEOUT;
            default:
                return null;
        }
    }
}
