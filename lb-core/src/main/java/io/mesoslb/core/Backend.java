package io.mesoslb.core;

import java.net.InetAddress;
import java.util.Objects;

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
    private final String host;
    /** The address {@link #withIp} gave a host name; part of the backend's identity. */
    private final InetAddress resolved;
    /** Whether the host is an IP literal, which is its own address. */
    private final boolean literal;
    /** The literal's address, parsed on first use: discovery makes every backend anew on every publish. */
    private InetAddress parsed;
    private final int port;
    private final String taskId;
    private final String appId;
    private final String address;
    private final int hash;
    /** Made on first use: only sticky routes need it. */
    private String stickyToken;

    /** A backend at {@code host}, which is its address when it is an IP literal, and unresolved otherwise. */
    public Backend(String host, int port, String taskId, String appId) {
        this(host, null, port, taskId, appId);
    }

    private Backend(String host, InetAddress resolved, int port, String taskId, String appId) {
        this.host = Objects.requireNonNull(host, "host");
        this.resolved = resolved;
        this.literal = IpLiteral.is(host);
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        this.port = port;
        this.taskId = Objects.requireNonNull(taskId, "taskId");
        this.appId = Objects.requireNonNull(appId, "appId");
        boolean bareIpv6 = host.indexOf(':') >= 0 && !host.startsWith("[");
        this.address = bareIpv6 ? "[" + host + "]:" + port : host + ":" + port;
        this.hash = Objects.hash(host, port, taskId, appId) * 31 + Objects.hashCode(resolved);
    }

    /** This backend at {@code ip}: its host name as resolved. */
    public Backend withIp(InetAddress ip) {
        return new Backend(host, Objects.requireNonNull(ip, "ip"), port, taskId, appId);
    }

    /** The name or IP literal Marathon reported. */
    public String host() {
        return host;
    }

    /** The address a name was resolved to, null for an IP literal or an unresolved name; part of equality. */
    InetAddress resolved() {
        return resolved;
    }

    /** Whether {@link #host()} is an IP literal rather than a name that needs resolving. */
    public boolean hasIpLiteral() {
        return literal;
    }

    /** Where to connect, or null for a host name that has not been resolved. Never looks a name up. */
    public InetAddress ip() {
        if (resolved != null || !literal) {
            return resolved;
        }
        InetAddress a = parsed;
        if (a == null) {
            // A benign race: every thread parses the same literal to an equal address.
            a = IpLiteral.address(host);
            parsed = a;
        }
        return a;
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

    /**
     * What a sticky route's cookie names this backend by: the same on every balancer (clients move
     * between them behind an ELB) and for as long as the task lives, without revealing its address.
     */
    public String stickyToken() {
        String t = stickyToken;
        if (t == null) {
            long h = 1125899906842597L;
            for (String part : new String[] {appId, taskId, Integer.toString(port)}) {
                for (int i = 0; i < part.length(); i++) {
                    h = 31 * h + part.charAt(i);
                }
                h = 31 * h + '|';
            }
            t = Long.toHexString(h);
            stickyToken = t;
        }
        return t;
    }

    boolean stickyTokenEquals(CharSequence token) {
        return stickyToken().contentEquals(token);
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
        return hash == b.hash && port == b.port && host.equals(b.host) && Objects.equals(resolved, b.resolved)
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
