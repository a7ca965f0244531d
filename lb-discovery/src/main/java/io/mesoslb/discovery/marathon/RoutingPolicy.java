package io.mesoslb.discovery.marathon;

import io.mesoslb.core.App;
import io.mesoslb.core.Backend;
import io.mesoslb.core.BasicAuth;
import io.mesoslb.core.CidrList;
import io.mesoslb.core.RouteOptions;
import io.mesoslb.core.RouteSpec;
import io.mesoslb.discovery.AgentAddresses;
import io.mesoslb.discovery.OutOfRotation;
import io.mesoslb.discovery.labels.AppPorts;
import io.mesoslb.discovery.labels.LabelProblems;
import io.mesoslb.discovery.labels.PortRoutes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides which of Marathon's tasks the proxy sends traffic to, and where.
 *
 * <p>A task is routed when its state is routable ({@link TaskStates}), its address is known, and,
 * if its app has health checks, every reported check is alive. A task of such an app that has no
 * result yet is held back unless an earlier verdict is remembered ({@link HealthVerdicts}). Agent
 * host names are resolved here, off the proxy's event loops ({@link AgentAddresses}). The tasks of a
 * routed port that are not routed are remembered with the reason ({@link #outOfRotation()}).
 */
public final class RoutingPolicy {
    /** The tasks kept out of rotation as of one change count. */
    private record Held(long version, Map<String, List<OutOfRotation>> byRoute) {
    }

    private final HealthVerdicts verdicts;
    private final AgentAddresses addresses;
    private final PortRoutes ports;
    /** The last label reading of each app that is its own route, by route id. */
    private final Map<String, Reading> readings = new ConcurrentHashMap<>();
    /**
     * The tasks each source (an app, or a blue-green group, by the id it is routed under) keeps out of
     * rotation, by route id: replaced whole at each reading of the source, so a source's ports that
     * are gone take their tasks with them.
     */
    private final Map<String, Map<String, List<OutOfRotation>>> held = new ConcurrentHashMap<>();
    /** Counts changes to {@link #held}; the snapshot is rebuilt only after one. */
    private final AtomicLong heldChanges = new AtomicLong();
    private volatile Held heldSnapshot = new Held(0, Map.of());

    public RoutingPolicy(HealthVerdicts verdicts) {
        this(verdicts, new AgentAddresses());
    }

    public RoutingPolicy(HealthVerdicts verdicts, AgentAddresses addresses) {
        this(verdicts, addresses, new PortRoutes(false, new LabelProblems()));
    }

    /** @param ports how app labels become the routes of its ports */
    public RoutingPolicy(HealthVerdicts verdicts, AgentAddresses addresses, PortRoutes ports) {
        this.verdicts = verdicts;
        this.addresses = addresses;
        this.ports = ports;
    }

    /**
     * Every routed app port with its routable backends ({@link PortRoutes} decides which ports are
     * routed and how); ports with no routable task are kept so their hosts still resolve. The
     * colours of a blue-green deployment are one route ({@link DeploymentGroups}).
     */
    public List<App> apps(Collection<MarathonApp> apps) {
        List<App> out = new ArrayList<>(apps.size());
        Set<String> ids = new HashSet<>();
        for (DeploymentGroups.Deployment d : DeploymentGroups.of(apps, this::serving)) {
            addDeployment(d, out, ids);
        }
        // Every publication reads every app: what was said of apps that are gone no longer holds.
        ports.problems().retain(ids);
        readings.keySet().retainAll(ids);
        if (held.keySet().retainAll(ids)) {
            heldChanges.incrementAndGet();
        }
        return out;
    }

    /**
     * The routes of one source group: a single app, or the colours of one blue-green deployment
     * group (see {@link RouteGroups}). What was said of the group's labels before is replaced by
     * what this reading says; an empty list when {@code members} is empty.
     */
    List<App> group(Collection<MarathonApp> members) {
        List<App> out = new ArrayList<>(2);
        for (DeploymentGroups.Deployment d : DeploymentGroups.of(members, this::serving)) {
            addDeployment(d, out, new HashSet<>());
        }
        return out;
    }

    /** Forgets what was said of these ids' labels, and their cached readings (apps gone, or regrouped). */
    void forget(Collection<String> ids) {
        ports.problems().forget(ids);
        readings.keySet().removeAll(ids);
        if (held.keySet().removeAll(ids)) {
            heldChanges.incrementAndGet();
        }
    }

    /**
     * For each route, by route id, its tasks that get no traffic and why, as of the last reading of
     * its app: failing health checks, not running yet, no address, being killed, or drained by a
     * blue-green deployment. Terminal tasks are not listed: they are gone. Rebuilt only after a change.
     */
    public Map<String, List<OutOfRotation>> outOfRotation() {
        long version = heldChanges.get();
        Held s = heldSnapshot;
        if (s.version() == version) {
            return s.byRoute();
        }
        Map<String, List<OutOfRotation>> all = new TreeMap<>();
        for (Map<String, List<OutOfRotation>> source : held.values()) {
            all.putAll(source);
        }
        Map<String, List<OutOfRotation>> byRoute = all.isEmpty() ? Map.of() : Collections.unmodifiableMap(all);
        // A change made while this was read has counted past version: the next call reads again.
        heldSnapshot = new Held(version, byRoute);
        return byRoute;
    }

    private void addDeployment(DeploymentGroups.Deployment d, List<App> out, Set<String> ids) {
        MarathonApp lead = d.lead();
        boolean single = d.members().size() == 1;
        // The other colours' own readings first: the lead's, under the group's id, is said last.
        List<List<PortRoutes.PortRoute>> others = new ArrayList<>(d.members().size() - 1);
        for (MarathonApp member : d.members().subList(1, d.members().size())) {
            others.add(ports.routes(member.id(), member.labels(), member.portIndex(), appPorts(member)));
            ids.add(member.id());
        }
        Map<String, List<OutOfRotation>> kept = new TreeMap<>();
        for (PortRoutes.PortRoute port : single ? read(d.id(), lead) : readUncached(d.id(), lead)) {
            List<OutOfRotation> notRouted = new ArrayList<>(0);
            App app = merged(d, port, others, notRouted);
            if (app != null) {
                out.add(app);
                if (!notRouted.isEmpty()) {
                    kept.put(port.routeId(), List.copyOf(notRouted));
                }
            }
        }
        ids.add(d.id());
        Map<String, List<OutOfRotation>> before = kept.isEmpty() ? held.remove(d.id()) : held.put(d.id(), kept);
        if (!kept.equals(before == null ? Map.of() : before)) {
            heldChanges.incrementAndGet();
        }
    }

    /**
     * An app's label reading, cached for as long as what it depends on (id, labels, main port and
     * what Marathon says of the ports) stays the same: an app whose tasks change is not read again.
     * Problems said by a reading stay said while it is cached. Only for an app that is its own
     * route: a blue-green group's reading depends on its colours and is never cached.
     */
    private List<PortRoutes.PortRoute> read(String routeId, MarathonApp app) {
        AppPorts appPorts = appPorts(app);
        Reading cached = readings.get(routeId);
        if (cached != null && cached.portIndex() == app.portIndex() && cached.labels().equals(app.labels())
                && cached.ports().equals(appPorts)) {
            return cached.routes();
        }
        List<PortRoutes.PortRoute> routes = ports.routes(routeId, app.labels(), app.portIndex(), appPorts);
        readings.put(routeId, new Reading(app.labels(), app.portIndex(), appPorts, routes));
        return routes;
    }

    private List<PortRoutes.PortRoute> readUncached(String routeId, MarathonApp app) {
        readings.remove(routeId);
        return ports.routes(routeId, app.labels(), app.portIndex(), appPorts(app));
    }

    /** One cached label reading and what it was read from. */
    private record Reading(Map<String, String> labels, int portIndex, AppPorts ports,
                           List<PortRoutes.PortRoute> routes) {
    }

    /**
     * One port's route over a deployment group's colours. The lead's labels decide how it is routed,
     * but no colour's tasks are served without the protections its own labels give the port
     * (fail closed): a colour that does not route the port (disabled, or a protection it cannot have)
     * adds no task to it; a basic-auth user or an allowed network only another colour names is
     * required of the whole route; colours that name different ones, different balancer groups, or
     * different backend protocols (one colour's tasks would get requests they cannot read), keep the
     * route off the table while both exist. Null when it is kept off.
     */
    private App merged(DeploymentGroups.Deployment d, PortRoutes.PortRoute port, List<List<PortRoutes.PortRoute>> others,
                       List<OutOfRotation> notRouted) {
        List<MarathonApp> members = d.members();
        RouteOptions options = port.spec().options();
        BasicAuth auth = options.auth();
        CidrList allowFrom = options.allowFrom();
        List<Backend> backends = new ArrayList<>(members.get(0).tasks().size());
        addBackends(members.get(0), port.portIndex(), port.routeId(), d.draining(), backends, notRouted);
        String suffix = port.routeId().substring(d.id().length());
        for (int i = 1; i < members.size(); i++) {
            MarathonApp member = members.get(i);
            PortRoutes.PortRoute own = find(others.get(i - 1), member.id() + suffix);
            if (own == null) {
                continue;
            }
            RouteSpec spec = own.spec();
            BasicAuth theirAuth = spec.options().auth();
            CidrList theirAllow = spec.options().allowFrom();
            String clash = !spec.groups().equals(port.spec().groups()) ? "balancer groups"
                    : auth != null && theirAuth != null && !sameUser(auth, theirAuth) ? "basic auth"
                    : allowFrom != null && theirAllow != null && !allowFrom.equals(theirAllow) ? "allowed networks"
                    : spec.options().protocol() != options.protocol() ? "backend protocols"
                    : null;
            if (clash != null) {
                ports.problems().error(port.routeId(), "deployment group colours " + members.get(0).id() + " and "
                        + member.id() + " name different " + clash + ": not routed while both exist");
                return null;
            }
            auth = auth != null ? auth : theirAuth;
            allowFrom = allowFrom != null ? allowFrom : theirAllow;
            addBackends(member, own.portIndex(), port.routeId(), d.draining(), backends, notRouted);
        }
        RouteSpec spec = port.spec().withOptions(options.withAuth(auth).withAllowFrom(allowFrom));
        if (auth != options.auth()) {
            // Another colour's basic auth: the lead's tcp service port could not ask for it.
            spec = ports.honourable(port.routeId(), spec);
            if (spec == null) {
                return null;
            }
        }
        return new App(port.routeId(), spec, backends);
    }

    private static boolean sameUser(BasicAuth a, BasicAuth b) {
        return a.user().equals(b.user()) && a.hash().equals(b.hash());
    }

    private static PortRoutes.PortRoute find(List<PortRoutes.PortRoute> routes, String routeId) {
        for (PortRoutes.PortRoute r : routes) {
            if (r.routeId().equals(routeId)) {
                return r;
            }
        }
        return null;
    }

    /** What the last publication said of apps' labels, by app id. */
    public Map<String, List<String>> labelProblems() {
        return ports.problems().snapshot();
    }

    /** What the label language needs of the app's ports: fixed numbers, service ports, health checks. */
    static AppPorts appPorts(MarathonApp app) {
        int count = app.portCount();
        List<String> checks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String protocol = app.healthCheckProtocol(i);
            checks.add(protocol == null ? "" : protocol);
        }
        return new AppPorts(fixedPorts(app), app.servicePorts(), checks);
    }

    /**
     * The app's port numbers by index where they are the same for every task (for Traefik's
     * {@code traefik.port}): an IP-per-task app's container ports, or a host-networked app's defined
     * ports when {@code requirePorts} makes them the host ports. Bridge host ports are not kept.
     */
    private static List<Integer> fixedPorts(MarathonApp app) {
        if (app.networkMode() == NetworkMode.CONTAINER) {
            return app.containerPorts();
        }
        return app.networkMode() == NetworkMode.HOST && app.requirePorts() ? app.definedPorts() : List.of();
    }

    /**
     * The app's routable backends on one port, but for draining tasks, which get no new requests; the
     * others, but terminal ones, go to {@code notRouted} with the reason.
     *
     * @param routeId the route the backends serve (the group's, for every colour)
     */
    private void addBackends(MarathonApp app, int portIndex, String routeId, Set<String> draining, List<Backend> out,
                             List<OutOfRotation> notRouted) {
        for (MarathonTask task : app.tasks()) {
            Backend backend = backendOf(app, task, portIndex, routeId);
            String address = backend == null ? null : backend.address();
            String state = task.state();
            if (draining.contains(task.id())) {
                notRouted.add(new OutOfRotation(task.id(), address, OutOfRotation.DRAINING,
                        "blue-green deployment: the new colour serves in its place"));
            } else if (TaskStates.routable(state)) {
                if (backend == null) {
                    notRouted.add(new OutOfRotation(task.id(), null, OutOfRotation.DOWN,
                            "no address for port index " + portIndex));
                } else if (healthy(app, task)) {
                    out.add(addresses.resolve(backend));
                } else if (task.healthResults() == null && verdicts.last(task.id()) == null) {
                    notRouted.add(new OutOfRotation(task.id(), address, OutOfRotation.STARTING,
                            "no Marathon health check result yet"));
                } else {
                    notRouted.add(new OutOfRotation(task.id(), address, OutOfRotation.DOWN,
                            "failing Marathon health checks"));
                }
            } else if (TaskStates.KILLING.equals(state)) {
                notRouted.add(new OutOfRotation(task.id(), address, OutOfRotation.DRAINING, state));
            } else if (!TaskStates.gone(state)) {
                notRouted.add(new OutOfRotation(task.id(), address, OutOfRotation.STARTING, state));
            }
        }
    }

    /** Whether the task would get traffic on the app's main port. */
    private boolean serving(MarathonApp app, MarathonTask task) {
        return TaskStates.routable(task.state()) && backendOf(app, task, app.portIndex(), app.id()) != null
                && healthy(app, task);
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
