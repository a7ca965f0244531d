package io.mesoslb.discovery.labels;

import io.mesoslb.discovery.labels.TraefikSegments.Segment;
import java.util.List;
import java.util.Map;

/**
 * Which of an app's ports a Traefik segment goes to: {@code traefik.port} (a port number, which wins in
 * Traefik) or {@code traefik.portIndex}. The table routes by port index, so a number is turned into the
 * index whose port is fixed at that number; a number that is no fixed port of the app cannot be
 * reached the way Traefik reached it, and a label that cannot be read might point at another
 * service of the task, so both keep the route off the table.
 */
final class TraefikPort {
    private TraefikPort() {
    }

    /** The port index, or -1 after an error naming the route and the label. */
    static int index(String routeId, Segment s, Map<String, String> labels, int mainPortIndex,
                     List<Integer> fixedPorts, LabelProblems problems) {
        String port = s.get("port");
        String portIndex = s.get("portIndex");
        if (!s.isNamed() && TraefikLabels.present(labels.get("MESOS_LB_PORT_INDEX"))) {
            if (port != null || portIndex != null) {
                problems.warn(routeId, "MESOS_LB_PORT_INDEX wins over " + s.label(port != null ? "port" : "portIndex"));
            }
            return mainPortIndex;
        }
        if (port != null) {
            if (portIndex != null) {
                problems.warn(routeId, s.label("port") + " and " + s.label("portIndex") + " are both set; the port"
                        + " wins, as in Traefik");
            }
            return byNumber(routeId, s.label("port"), port, fixedPorts, problems);
        }
        if (portIndex != null) {
            int index = number(portIndex);
            if (index < 0) {
                problems.error(routeId, s.label("portIndex") + " '" + portIndex + "' is not a port index: not routed");
            }
            return index;
        }
        return mainPortIndex;
    }

    private static int byNumber(String routeId, String label, String value, List<Integer> fixedPorts,
                                LabelProblems problems) {
        int number = number(value);
        if (number < 1 || number > 65_535) {
            problems.error(routeId, label + " '" + value + "' is not a port number: not routed");
            return -1;
        }
        int index = fixedPorts.indexOf(number);
        if (index < 0) {
            problems.error(routeId, label + "=" + number + " is not a fixed port of the app (a requirePorts port"
                    + " definition, a bridge hostPort or an IP-per-task containerPort): use traefik.portIndex: not"
                    + " routed");
        }
        return index;
    }

    /** A non-negative decimal, or -1. */
    private static int number(String value) {
        try {
            int n = Integer.parseInt(value.strip());
            return n < 0 ? -1 : n;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
