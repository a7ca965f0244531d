package io.mesoslb.discovery.marathon;

import io.mesoslb.core.App;
import io.mesoslb.core.Backend;
import io.mesoslb.discovery.AgentAddresses;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Decides which of Marathon's tasks the proxy sends traffic to, and where.
 *
 * <p>A task is routed when its state is routable ({@link TaskStates}), its address is known, and,
 * if its app has health checks, every reported check is alive. A task of such an app that has no
 * result yet is held back unless an earlier verdict is remembered ({@link HealthVerdicts}). Agent
 * host names are resolved here, off the proxy's event loops ({@link AgentAddresses}).
 */
public final class RoutingPolicy {
    private final HealthVerdicts verdicts;
    private final AgentAddresses addresses;

    public RoutingPolicy(HealthVerdicts verdicts) {
        this(verdicts, new AgentAddresses());
    }

    public RoutingPolicy(HealthVerdicts verdicts, AgentAddresses addresses) {
        this.verdicts = verdicts;
        this.addresses = addresses;
    }

    /** Every app with its routable backends; apps with none are kept so their hosts still resolve. */
    public List<App> apps(Collection<MarathonApp> apps) {
        List<App> out = new ArrayList<>(apps.size());
        for (MarathonApp app : apps) {
            List<Backend> backends = new ArrayList<>(app.tasks().size());
            for (MarathonTask task : app.tasks()) {
                Backend backend = backendOf(app, task);
                if (backend != null && TaskStates.routable(task.state()) && healthy(app, task)) {
                    backends.add(addresses.resolve(backend));
                }
            }
            out.add(new App(app.id(), app.labels(), backends));
        }
        return out;
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
     * Where a task serves the app's chosen port (REFERENCE.md 2.3), or null when its IP or port is
     * not known.
     */
    static Backend backendOf(MarathonApp app, MarathonTask task) {
        int index = app.portIndex();
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
        return new Backend(host.strip(), port, task.id(), app.id());
    }

    private static int at(List<Integer> ports, int index) {
        return index < ports.size() ? ports.get(index) : 0;
    }
}
