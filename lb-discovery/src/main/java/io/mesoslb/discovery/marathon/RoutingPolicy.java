package io.mesoslb.discovery.marathon;

import io.mesoslb.core.App;
import io.mesoslb.core.Backend;
import io.mesoslb.core.Labels;
import io.mesoslb.discovery.AgentAddresses;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides which of Marathon's tasks the proxy sends traffic to, and where.
 *
 * <p>A task is routed when its state is routable ({@link TaskStates}), its address is known, and,
 * if its app has health checks, every reported check is alive. A task of such an app that has no
 * result yet is held back unless an earlier verdict is remembered ({@link HealthVerdicts}). Agent
 * host names are resolved here, off the proxy's event loops ({@link AgentAddresses}).
 */
public final class RoutingPolicy {
    private static final Pattern PORT_VHOST = Pattern.compile("(?:MESOS_LB|HAPROXY)_(\\d{1,3})_VHOST");
    /** The label names that exist per port; the main port's are {@code MESOS_LB_<name>} and {@code HAPROXY_0_<name>}. */
    private static final List<String> PER_PORT = List.of("VHOST", "PATH", "REDIRECT_TO_HTTPS", "STICKY");

    private final HealthVerdicts verdicts;
    private final AgentAddresses addresses;

    public RoutingPolicy(HealthVerdicts verdicts) {
        this(verdicts, new AgentAddresses());
    }

    public RoutingPolicy(HealthVerdicts verdicts, AgentAddresses addresses) {
        this.verdicts = verdicts;
        this.addresses = addresses;
    }

    /**
     * Every app with its routable backends; apps with none are kept so their hosts still resolve.
     * An app that names vhosts for more of its ports (marathon-lb's {@code HAPROXY_n_VHOST}, or
     * {@code MESOS_LB_n_VHOST}) gets a route for each of them too, with the id {@code <app>#<n>}.
     */
    public List<App> apps(Collection<MarathonApp> apps) {
        List<App> out = new ArrayList<>(apps.size());
        for (MarathonApp app : apps) {
            out.add(service(app, app.portIndex(), app.id(), app.labels()));
            for (int index : morePorts(app)) {
                out.add(service(app, index, app.id() + "#" + index, portLabels(app.labels(), index)));
            }
        }
        return out;
    }

    /**
     * The labels of port {@code index} as a route of its own: the app's, with the per-port labels
     * of that port ({@code MESOS_LB_<n>_<name>}, else {@code HAPROXY_<n>_<name>}) standing where
     * the main port's ({@code MESOS_LB_<name>}, {@code HAPROXY_0_<name>}) were, so that the main
     * port's vhosts, paths, https rule and stickiness are not taken for this port's.
     */
    private static Map<String, String> portLabels(Map<String, String> app, int index) {
        Map<String, String> labels = new HashMap<>(app);
        for (String name : PER_PORT) {
            labels.remove("HAPROXY_0_" + name);
            String value = Labels.oursElseTheirs(app, "MESOS_LB_" + index + "_" + name, "HAPROXY_" + index + "_" + name);
            if (value == null) {
                labels.remove("MESOS_LB_" + name);
            } else {
                labels.put("MESOS_LB_" + name, value);
            }
        }
        return labels;
    }

    /** The app's routable backends on port {@code index}, as a route of its own. */
    private App service(MarathonApp app, int index, String id, Map<String, String> labels) {
        List<Backend> backends = new ArrayList<>(app.tasks().size());
        for (MarathonTask task : app.tasks()) {
            Backend backend = backendOf(app, task, index, id);
            if (backend != null && TaskStates.routable(task.state()) && healthy(app, task)) {
                backends.add(addresses.resolve(backend));
            }
        }
        return new App(id, labels, backends);
    }

    /** The indexes of the ports other than the main one that have a vhost label of their own, in order. */
    private static SortedSet<Integer> morePorts(MarathonApp app) {
        SortedSet<Integer> more = new TreeSet<>();
        for (Map.Entry<String, String> label : app.labels().entrySet()) {
            String key = label.getKey();
            if (!key.endsWith("_VHOST") || label.getValue().isBlank()) {
                continue;
            }
            Matcher m = PORT_VHOST.matcher(key);
            if (m.matches()) {
                int index = Integer.parseInt(m.group(1));
                if (index != 0 && index != app.portIndex()) {
                    more.add(index);
                }
            }
        }
        return more;
    }

    boolean healthy(MarathonApp app, MarathonTask task) {
        if (!app.hasHealthChecks()) {
            return true;
        }
        List<HealthResult> results = task.healthResults();
        if (results != null) {
            boolean alive = true;
            for (HealthResult r : results) {
                alive &= r.alive();
            }
            verdicts.record(task.id(), alive);
            return alive;
        }
        return Boolean.TRUE.equals(verdicts.last(task.id()));
    }

    /**
     * Where a task serves the app's port at {@code index} (REFERENCE.md 2.3), for the route
     * {@code routeId}, or null when its IP or port is not known.
     */
    static Backend backendOf(MarathonApp app, MarathonTask task, int index, String routeId) {
        String host;
        int port;
        if (app.networkMode() == NetworkMode.CONTAINER) {
            // The task's own IP: the agent's host name would not reach a port that is not mapped.
            host = task.ipAddresses().isEmpty() ? null : task.ipAddresses().get(0);
            port = at(app.containerPorts(), index);
        } else {
            // In bridge mode ipAddresses holds the docker bridge IP, unreachable from other hosts.
            host = task.host();
            port = at(task.ports(), index);
            if (port == 0 && app.networkMode() == NetworkMode.HOST && app.requirePorts()) {
                // Only requirePorts makes the defined (service) port the host port as well.
                port = at(app.definedPorts(), index);
            }
        }
        if (host == null || host.isBlank() || port < 1 || port > 65_535) {
            return null;
        }
        // The route's id, not the app's: passive health and metrics find a backend's route by it.
        return new Backend(host.strip(), port, task.id(), routeId);
    }

    private static int at(List<Integer> ports, int index) {
        return index < ports.size() ? ports.get(index) : 0;
    }
}
