package io.mesoslb.core;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One routable task endpoint: where to connect, and which Marathon task and app it belongs to.
 *
 * <p>Immutable and used as a map key on the hot path (connection pools, ejection state), so the
 * hash and the {@code host:port} text are computed once at construction.
 *
 * <p>Marathon names a task's agent by host name as often as by IP. The proxy connects to
 * {@link #ip()} and never looks a name up itself, which would stop its event loop for as long as
 * DNS takes: an IP literal is its own address, and a name is resolved by discovery, off the
 * event loops ({@link #withIp}). A backend whose name nobody resolved fails its connects.
 */
public final class Backend {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final String host;
    private final InetAddress ip;
    private final int port;
    private final String taskId;
    private final String appId;
    private final String address;
    private final int hash;

    /** A backend at {@code host}, which is its address when it is an IP literal, and unresolved otherwise. */
    public Backend(String host, int port, String taskId, String appId) {
        this(host, literal(host), port, taskId, appId);
    }

    private Backend(String host, InetAddress ip, int port, String taskId, String appId) {
        this.host = Objects.requireNonNull(host, "host");
        this.ip = ip;
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        this.port = port;
        this.taskId = Objects.requireNonNull(taskId, "taskId");
        this.appId = Objects.requireNonNull(appId, "appId");
        boolean bareIpv6 = host.indexOf(':') >= 0 && !host.startsWith("[");
        this.address = bareIpv6 ? "[" + host + "]:" + port : host + ":" + port;
        this.hash = Objects.hash(host, ip, port, taskId, appId);
    }

    /** This backend at {@code ip}: its host name as resolved. */
    public Backend withIp(InetAddress ip) {
        return new Backend(host, Objects.requireNonNull(ip, "ip"), port, taskId, appId);
    }

    /** The name or IP literal Marathon reported. */
    public String host() {
        return host;
    }

    /** Where to connect, or null for a host name that has not been resolved. */
    public InetAddress ip() {
        return ip;
    }

    /** The address of an IP literal (no lookup), or null for a host name. */
    static InetAddress literal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        // getByName looks up nothing for a literal; the checks keep every name away from it.
        if (!(h.indexOf(':') >= 0 || IPV4.matcher(h).matches())) {
            return null;
        }
        try {
            return InetAddress.getByName(h);
        } catch (UnknownHostException e) {
            return null;
        }
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
        return hash == b.hash && port == b.port && host.equals(b.host) && Objects.equals(ip, b.ip)
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
