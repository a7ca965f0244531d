package io.mesoslb.core;

import java.util.Objects;

/**
 * One routable task endpoint: where to connect, and which Marathon task and app it belongs to.
 *
 * <p>Immutable and used as a map key on the hot path (connection pools, ejection state), so the
 * hash and the {@code host:port} text are computed once at construction.
 */
public final class Backend {
    private final String host;
    private final int port;
    private final String taskId;
    private final String appId;
    private final String address;
    private final int hash;

    public Backend(String host, int port, String taskId, String appId) {
        this.host = Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        this.port = port;
        this.taskId = Objects.requireNonNull(taskId, "taskId");
        this.appId = Objects.requireNonNull(appId, "appId");
        boolean bareIpv6 = host.indexOf(':') >= 0 && !host.startsWith("[");
        this.address = bareIpv6 ? "[" + host + "]:" + port : host + ":" + port;
        this.hash = Objects.hash(host, port, taskId, appId);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String taskId() {
        return taskId;
    }

    public String appId() {
        return appId;
    }

    /** {@code host:port} (IPv6 hosts bracketed), precomputed for logs and headers. */
    public String address() {
        return address;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Backend)) {
            return false;
        }
        Backend b = (Backend) o;
        return hash == b.hash && port == b.port && host.equals(b.host)
                && taskId.equals(b.taskId) && appId.equals(b.appId);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return appId + "/" + taskId + "@" + address;
    }
}
