package io.mesoslb.server.config;

import io.mesoslb.server.service.PortRange;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The service ports: every app port also served on its Marathon servicePort, as marathon-lb does. */
final class ServicePortSection {
    @Option(names = "--service-ports", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "listen on every app port's service port (Marathon's servicePort, or a PORT label), "
                    + "tcp or http as marathon-lb decides (default: ${DEFAULT-VALUE})")
    Boolean servicePorts = true;

    @Option(names = "--service-bind-host", paramLabel = "<addr>",
            description = "address service ports listen on, unless an app's BIND_ADDR label says otherwise "
                    + "(default: listen-host)")
    String serviceBindHost;

    @Option(names = "--service-port-range", paramLabel = "<first-last>",
            description = "the only ports apps may claim as service ports; others are reported and not opened "
                    + "(default: any port)")
    String servicePortRange;

    @Option(names = "--service-port-drain", paramLabel = "<duration>",
            description = "when no app claims a port any more, its open connections are closed after this "
                    + "(default: ${DEFAULT-VALUE})")
    String servicePortDrain = "60s";

    ServicePortSettings validate(ConfigProblems p, String listenHost) {
        String host = serviceBindHost == null || serviceBindHost.isBlank() ? listenHost : serviceBindHost.strip();
        PortRange range = PortRange.ANY;
        if (servicePortRange != null && !servicePortRange.isBlank()) {
            try {
                range = PortRange.parse(servicePortRange);
            } catch (IllegalArgumentException e) {
                p.add("service-port-range: " + e.getMessage() + " (e.g. 10000-10100)");
            }
        }
        Duration drain = p.duration("service-port-drain", servicePortDrain, true);
        return new ServicePortSettings(!Boolean.FALSE.equals(servicePorts), host, range, drain);
    }
}
