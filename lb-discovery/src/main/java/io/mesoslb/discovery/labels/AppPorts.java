package io.mesoslb.discovery.labels;

import java.util.List;

/**
 * What the label language needs to know of an app's ports besides its labels, each list by port index.
 *
 * @param fixedPorts     for Traefik's {@code traefik.port}: the port number each index is reached on when it
 *                       is the same for every task, 0 where it is assigned per task; empty when none is
 * @param servicePorts   each port's service port (Marathon's {@code servicePort}), 0 where it has none
 * @param checkProtocols the protocol of the health check marathon-lb associates with each port
 *                       ({@code HTTP}, {@code MESOS_HTTP}, {@code TCP}, ...), empty where none is
 */
public record AppPorts(List<Integer> fixedPorts, List<Integer> servicePorts, List<String> checkProtocols) {
    /** Nothing known: no service port, no health check. */
    public static final AppPorts NONE = new AppPorts(List.of(), List.of(), List.of());

    public AppPorts {
        fixedPorts = fixedPorts == null ? List.of() : List.copyOf(fixedPorts);
        servicePorts = servicePorts == null ? List.of() : List.copyOf(servicePorts);
        checkProtocols = checkProtocols == null ? List.of() : List.copyOf(checkProtocols);
    }

    /** Only the fixed port numbers (what was known before service ports were read). */
    public static AppPorts fixed(List<Integer> fixedPorts) {
        return new AppPorts(fixedPorts, List.of(), List.of());
    }

    /** The service port at {@code index}; 0 for none. */
    public int servicePort(int index) {
        return index >= 0 && index < servicePorts.size() ? servicePorts.get(index) : 0;
    }

    /** The protocol of the health check on the port at {@code index}; null for none. */
    public String checkProtocol(int index) {
        String p = index >= 0 && index < checkProtocols.size() ? checkProtocols.get(index) : "";
        return p.isEmpty() ? null : p;
    }

    /** How many ports the app has, as far as these lists say. */
    public int count() {
        return Math.max(Math.max(fixedPorts.size(), servicePorts.size()), checkProtocols.size());
    }
}
