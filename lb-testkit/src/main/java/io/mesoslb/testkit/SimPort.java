package io.mesoslb.testkit;

import java.util.Objects;

/**
 * One port of a simulated app: what its tasks serve on it, and its Marathon service port.
 *
 * @param protocol    an HTTP server answering with the task id ({@link LoopbackBackend}), or a TCP echo
 *                    server ({@link TcpEchoBackend})
 * @param servicePort the service port Marathon reports; 0 to have the simulator assign the next free one
 */
public record SimPort(Protocol protocol, int servicePort) {
    /** What a task serves on the port. */
    public enum Protocol {
        HTTP,
        TCP
    }

    public SimPort {
        Objects.requireNonNull(protocol, "protocol");
        if (servicePort < 0 || servicePort > 65_535) {
            throw new IllegalArgumentException("service port " + servicePort);
        }
    }

    /** An HTTP port on a service port the simulator assigns. */
    public static SimPort http() {
        return new SimPort(Protocol.HTTP, 0);
    }

    public static SimPort http(int servicePort) {
        return new SimPort(Protocol.HTTP, servicePort);
    }

    /** A TCP echo port on a service port the simulator assigns. */
    public static SimPort tcp() {
        return new SimPort(Protocol.TCP, 0);
    }

    public static SimPort tcp(int servicePort) {
        return new SimPort(Protocol.TCP, servicePort);
    }
}
