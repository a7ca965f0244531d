package io.mesoslb.discovery.labels;

import io.mesoslb.core.IpLiteral;
import io.mesoslb.core.RouteSpec;
import io.mesoslb.core.ServicePort;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Set;

/**
 * A port's service port, as marathon-lb binds it ({@code marathon_lb.py} {@code config()}:
 * {@code bind {bindAddr}:{servicePort}}, {@code mode {mode}}): Marathon's service port unless
 * {@code PORT} names another, on {@code BIND_ADDR}, in {@code MODE} (else the mode marathon-lb
 * defaults to, {@link #defaultMode}). A label that cannot be honoured keeps the service port off
 * (the port's host route, if it has one, is not affected) and is said as an error.
 */
final class ServicePortLabels {
    /** Health check protocols that make a port http through {@code BACKEND_HEALTHCHECK_PORT_INDEX}. */
    private static final Set<String> HTTP_CHECKS = Set.of("HTTP", "HTTPS", "MESOS_HTTP", "MESOS_HTTPS");
    /**
     * HAProxy bind options that restrict who gets in or how ({@code ssl}, client certificates, an
     * interface or network namespace, a PROXY header expected from a balancer in front): mesos-lb
     * does none of them, so a port that names one is not served rather than served without it.
     */
    private static final Set<String> RESTRICTING_BIND_OPTIONS = Set.of("ssl", "crt", "crt-list", "ca-file", "verify",
            "crl-file", "interface", "namespace", "accept-proxy", "v6only");

    private final LabelProblems problems;

    ServicePortLabels(LabelProblems problems) {
        this.problems = problems;
    }

    /**
     * @param index          the port's index in Marathon's port lists
     * @param vhostLabelled  whether the port has a vhost label of its own (a derived name does not count)
     * @return the service port, or null when the port has none or a label keeps it off
     */
    ServicePort read(String routeId, PortRoutes.PortLabels port, int index, AppPorts ports, boolean vhostLabelled) {
        int number = ports.servicePort(index);
        String portLabel = port.own("PORT");
        if (present(portLabel)) {
            number = parsePort(portLabel);
            if (number == 0) {
                problems.error(routeId, port.name("PORT") + " '" + portLabel.strip() + "' is not a port number"
                        + " (1-65535): not served on a service port");
                return null;
            }
        }
        if (number == 0) {
            return null;
        }
        String bindOptions = port.own("BIND_OPTIONS");
        if (present(bindOptions)) {
            for (String word : bindOptions.strip().split("\\s+")) {
                if (RESTRICTING_BIND_OPTIONS.contains(word.toLowerCase(Locale.ROOT))) {
                    problems.error(routeId, port.name("BIND_OPTIONS") + " asks for '" + word + "', which mesos-lb"
                            + " does not do on a service port: not served on service port " + number);
                    return null;
                }
            }
        }
        String bindHost = null;
        String bindLabel = port.own("BIND_ADDR");
        if (present(bindLabel)) {
            bindHost = bindHost(bindLabel.strip());
            if (bindHost == null) {
                problems.error(routeId, port.name("BIND_ADDR") + " '" + bindLabel.strip() + "' is not an IP address"
                        + " (or *): not served on service port " + number);
                return null;
            }
        }
        ServicePort.Mode mode;
        String modeLabel = port.own("MODE");
        if (present(modeLabel)) {
            mode = parseMode(modeLabel);
            if (mode == null) {
                problems.error(routeId, port.name("MODE") + " '" + modeLabel.strip() + "' is neither tcp nor http:"
                        + " not served on service port " + number);
                return null;
            }
        } else {
            mode = defaultMode(vhostLabelled, ports.checkProtocol(index), indexedCheck(port, ports));
        }
        boolean sendProxy = Labels.isTrue(port.ours("SEND_PROXY"));
        return new ServicePort(number, bindHost, mode, sendProxy);
    }

    /**
     * The spec with its service port, or without it when the route asks for what a TCP service port
     * cannot do (basic auth: there is no request to challenge), said as an error naming {@code authLabel};
     * null when nothing is left (a route reachable only on that service port).
     */
    RouteSpec honourable(String routeId, RouteSpec spec, String authLabel) {
        ServicePort sp = spec.servicePort();
        if (sp == null || sp.mode() != ServicePort.Mode.TCP || spec.options().auth() == null) {
            return spec;
        }
        problems.error(routeId, authLabel + " cannot be asked on tcp service port " + sp.port()
                + " (set its MODE to http to have it asked there): not served on that port");
        return spec.hostRouted() ? spec.withServicePort(null) : null;
    }

    /**
     * The mode marathon-lb gives a port without a {@code MODE} label: {@code http} when the health check
     * marathon-lb associates with the port speaks {@code HTTP} ({@code MarathonService.__init__}), or, for a
     * port with no check of its own, when the check its {@code BACKEND_HEALTHCHECK_PORT_INDEX} points at
     * speaks HTTP, HTTPS, MESOS_HTTP or MESOS_HTTPS ({@code get_apps}); else {@code http} when the port has
     * a vhost label, {@code tcp} otherwise ({@code config()}: {@code if app.hostname}).
     *
     * @param ownCheck     the protocol of the port's own health check; null for none
     * @param indexedCheck the protocol of the check {@code BACKEND_HEALTHCHECK_PORT_INDEX} points at; null for none
     */
    static ServicePort.Mode defaultMode(boolean vhostLabelled, String ownCheck, String indexedCheck) {
        if ("HTTP".equals(ownCheck)) {
            return ServicePort.Mode.HTTP;
        }
        if (ownCheck == null && indexedCheck != null && HTTP_CHECKS.contains(indexedCheck)) {
            return ServicePort.Mode.HTTP;
        }
        return vhostLabelled ? ServicePort.Mode.HTTP : ServicePort.Mode.TCP;
    }

    /** The protocol of the check {@code BACKEND_HEALTHCHECK_PORT_INDEX} names; null when unset or unreadable. */
    private static String indexedCheck(PortRoutes.PortLabels port, AppPorts ports) {
        String value = port.own("BACKEND_HEALTHCHECK_PORT_INDEX");
        if (!present(value)) {
            return null;
        }
        try {
            return ports.checkProtocol(Integer.parseInt(value.strip()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static ServicePort.Mode parseMode(String value) {
        switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "tcp":
                return ServicePort.Mode.TCP;
            case "http":
                return ServicePort.Mode.HTTP;
            default:
                return null;
        }
    }

    /** 1..65535, or 0 when the value is no such number. */
    static int parsePort(String value) {
        try {
            int p = Integer.parseInt(value.strip());
            return p >= 1 && p <= 65_535 ? p : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * An IP literal (IPv6 with or without brackets), as canonical text; {@code *} (marathon-lb's
     * default: every address) is {@code 0.0.0.0}. Null for anything else: a host name would need DNS at
     * bind time, and binding everywhere instead would expose what the label meant to keep in.
     */
    static String bindHost(String value) {
        if (value.equals("*")) {
            return "0.0.0.0";
        }
        InetAddress address = value.indexOf('%') >= 0 ? null : IpLiteral.address(value);
        return address == null ? null : address.getHostAddress();
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
