package io.mesoslb.core;

import java.util.Objects;

/**
 * A port every balancer listens on for one route, whatever the {@code Host}: Marathon's service port
 * (or the one a label gives instead), as marathon-lb's {@code bind <addr>:<servicePort>} frontends.
 *
 * @param port      1..65535
 * @param bindHost  the address to listen on; null for the balancer's {@code service-bind-host} setting
 * @param mode      whether the port relays bytes ({@link Mode#TCP}) or is the HTTP proxy with this one route
 * @param sendProxy whether each backend connection starts with a PROXY protocol header naming the client
 */
public record ServicePort(int port, String bindHost, Mode mode, boolean sendProxy) {
    /** How a service port treats what arrives on it. */
    public enum Mode {
        /** Bytes relayed both ways to one backend per connection. */
        TCP,
        /** The HTTP proxy, every request going to this route (no {@code Host} needed). */
        HTTP
    }

    public ServicePort {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("service port " + port + " is not in 1..65535");
        }
        Objects.requireNonNull(mode, "mode");
        bindHost = bindHost == null || bindHost.isBlank() ? null : bindHost.strip();
    }

    /** A port on the balancer's default service bind host, without PROXY headers. */
    public static ServicePort of(int port, Mode mode) {
        return new ServicePort(port, null, mode, false);
    }
}
