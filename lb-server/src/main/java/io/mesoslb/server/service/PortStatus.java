package io.mesoslb.server.service;

import io.mesoslb.core.ServicePort;

/**
 * How one service port stands, for the admin pages and metrics.
 *
 * @param port    the port
 * @param host    the address it is (to be) bound to
 * @param mode    tcp or http
 * @param appId   the route that owns it
 * @param problem why it is not listening, or null when it is
 */
public record PortStatus(int port, String host, ServicePort.Mode mode, String appId, String problem) {
    public boolean listening() {
        return problem == null;
    }
}
