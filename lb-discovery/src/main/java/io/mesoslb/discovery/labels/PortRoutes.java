package io.mesoslb.discovery.labels;

import io.mesoslb.core.Balance;
import io.mesoslb.core.BasicAuth;
import io.mesoslb.core.CidrList;
import io.mesoslb.core.HostNames;
import io.mesoslb.core.RouteOptions;
import io.mesoslb.core.RouteSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The label language: turns one app's labels into the routes of its ports. mesos-lb's own
 * {@code MESOS_LB_*} labels win; marathon-lb's {@code HAPROXY_*} labels are read as marathon-lb
 * reads them, so apps move over without relabelling and without losing a protection.
 *
 * <p>The main port (index {@code MESOS_LB_PORT_INDEX}, default 0) is read from {@code MESOS_LB_<name>}
 * and {@code HAPROXY_0_<name>}; a further port {@code n} that names a vhost of its own
 * ({@code MESOS_LB_<n>_VHOST} or {@code HAPROXY_<n>_VHOST}) becomes a route {@code <app>#<n>} read
 * from {@code MESOS_LB_<n>_<name>} and {@code HAPROXY_<n>_<name>}. Every port with a service port is
 * also served on it ({@link ServicePortLabels}); a further port with a service port and no vhost label
 * is a route {@code <app>#<n>} reachable only there, as marathon-lb serves such a port.
 */
public final class PortRoutes {
    private static final Pattern PORT_VHOST = Pattern.compile("(?:MESOS_LB|HAPROXY)_(\\d{1,3})_VHOST");

    /** One port's route: its id and how it is routed. */
    public record PortRoute(int portIndex, String routeId, RouteSpec spec) {
    }

    private final boolean strictMode;
    private final LabelProblems problems;
    private final TraefikLabels traefik;
    private final ServicePortLabels servicePorts;

    /**
     * @param strictMode marathon-lb's {@code --strict-mode}: a port is routed only when its
     *                   {@code ENABLED} label says true
     */
    public PortRoutes(boolean strictMode, LabelProblems problems) {
        this(strictMode, true, problems);
    }

    /**
     * @param exposedByDefault Traefik's {@code exposedByDefault}: whether an app with only Traefik
     *                         labels (or none) and no {@code traefik.enable=true} is routed
     */
    public PortRoutes(boolean strictMode, boolean exposedByDefault, LabelProblems problems) {
        this.strictMode = strictMode;
        this.problems = problems;
        this.traefik = new TraefikLabels(exposedByDefault, problems);
        this.servicePorts = new ServicePortLabels(problems);
    }

    /** Where label problems are said, and what the last reading said. */
    public LabelProblems problems() {
        return problems;
    }

    /** The routes of an app's ports, main port first; a port left off (disabled, or failing closed) is not listed. */
    public List<PortRoute> routes(String appId, Map<String, String> labels, int mainPortIndex) {
        return routes(appId, labels, mainPortIndex, List.of());
    }

    /**
     * @param fixedPorts the app's port numbers by index where they are fixed (for Traefik's
     *                   {@code traefik.port}); empty when none is
     */
    public List<PortRoute> routes(String appId, Map<String, String> labels, int mainPortIndex, List<Integer> fixedPorts) {
        return routes(appId, labels, mainPortIndex, AppPorts.fixed(fixedPorts));
    }

    /**
     * @param ports what Marathon says of the app's ports: fixed port numbers, service ports and the
     *              health checks watching them
     */
    public List<PortRoute> routes(String appId, Map<String, String> labels, int mainPortIndex, AppPorts ports) {
        problems.begin(appId);
        UnhonouredLabels.report(appId, labels, problems);
        // Traefik's labels speak only for an app that has no marathon-lb or mesos-lb routing labels.
        List<PortRoute> fromTraefik = traefik.routes(appId, labels, mainPortIndex, ports.fixedPorts());
        if (fromTraefik != null) {
            return withServicePorts(fromTraefik, labels, mainPortIndex, ports);
        }
        List<PortRoute> out = new ArrayList<>(1);
        addPort(out, appId, labels, mainPortIndex, true, ports);
        for (int index : morePorts(labels, mainPortIndex, ports)) {
            addPort(out, appId, labels, index, false, ports);
        }
        return out;
    }

    /**
     * Traefik's routes, each on its port's service port as marathon-lb would serve an app without its
     * labels (tcp unless an HTTP health check watches the port; the service port labels still apply).
     * Only the ports Traefik routes are served: Traefik exposes no other, and its protections are
     * the app's. Of several routes on one port (segments), the first takes the service port.
     */
    private List<PortRoute> withServicePorts(List<PortRoute> routes, Map<String, String> labels, int mainPortIndex,
                                             AppPorts ports) {
        List<PortRoute> out = new ArrayList<>(routes.size());
        Set<Integer> taken = new TreeSet<>();
        for (PortRoute r : routes) {
            boolean main = r.portIndex() == mainPortIndex;
            PortLabels port = new PortLabels(labels, main ? 0 : r.portIndex(), main);
            RouteSpec spec = r.spec();
            if (taken.add(r.portIndex())) {
                spec = servicePorts.honourable(r.routeId(), spec.withServicePort(
                        servicePorts.read(r.routeId(), port, r.portIndex(), ports, false)), "its traefik basic auth");
            }
            out.add(new PortRoute(r.portIndex(), r.routeId(), spec));
        }
        return out;
    }

    /**
     * A route's spec without the service port when the route asks for what a tcp service port cannot
     * do (a basic-auth user, as a deployment group's other colour may add), said as an error; null when
     * nothing is left of it.
     */
    public RouteSpec honourable(String routeId, RouteSpec spec) {
        return servicePorts.honourable(routeId, spec, "its basic auth");
    }

    private void addPort(List<PortRoute> out, String appId, Map<String, String> labels, int index, boolean main,
                         AppPorts ports) {
        String routeId = main ? appId : appId + "#" + index;
        PortLabels port = new PortLabels(labels, main ? 0 : index, main);
        String enabled = port.own("ENABLED");
        boolean on = enabled == null ? !strictMode : Labels.isTrue(enabled);
        if (!on) {
            return;
        }
        String vhostLabel = port.own("VHOST");
        List<String> vhosts = vhosts(routeId, vhostLabel);
        if (vhosts.isEmpty() && vhostLabel != null && !vhostLabel.isBlank()) {
            // The derived name instead would expose the app under a host nobody asked for.
            problems.error(routeId, "no valid host name in vhost label '" + vhostLabel + "': not routed");
            return;
        }
        String pathLabel = port.own("PATH");
        List<String> paths = List.of();
        if (pathLabel != null && !pathLabel.isBlank()) {
            paths = paths(routeId, pathLabel);
            if (paths.isEmpty()) {
                // Taking every path instead would hand the whole vhost to an app meant for a corner of it.
                problems.error(routeId, "no usable path prefix in '" + pathLabel + "': not routed");
                return;
            }
        }
        RouteOptions options = RouteOptions.of(Labels.isTrue(port.own("REDIRECT_TO_HTTPS")),
                Labels.isTrue(port.own("STICKY")));
        options = options.withBalance(balance(routeId, port));
        // HAProxy's path_beg -i, as marathon-lb writes the label into it: the prefixes match in any case.
        options = options.withPathIgnoreCase(pathLabel != null && List.of(pathLabel.strip().split("[\\s,]+")).contains("-i"));
        options = options.withRewrites(new RouteOptions.Rewrites(Labels.isTrue(port.own("USE_HSTS")),
                pathValue(routeId, port, "HTTP_BACKEND_PROXYPASS_PATH"), pathValue(routeId, port, "HTTP_BACKEND_REVPROXY_PATH"),
                headerValue(routeId, port, "HTTP_BACKEND_REDIR")));
        String proto = port.ours("PROTO");
        try {
            options = options.withProtocol(BackendProtocolLabel.ours(proto));
        } catch (BackendProtocolLabel.Refused e) {
            problems.error(routeId, port.oursName("PROTO") + " '" + proto.strip() + "' " + e.getMessage() + ": not routed");
            return;
        }
        // A path on the balancer's disk: whether it can be read is the TLS listener's business, not a
        // reason to keep the route off the table (it restricts nobody's access).
        options = options.withSslCert(port.own("SSL_CERT"));
        // The two labels that restrict access: one that cannot be honoured keeps the port off the table.
        String acl = port.own(ACL);
        if (acl != null) {
            try {
                CidrList allowed = CidrList.parse(acl);
                if (allowed.isEmpty()) {
                    throw new IllegalArgumentException("no network in it");
                }
                options = options.withAllowFrom(allowed);
            } catch (IllegalArgumentException e) {
                problems.error(routeId, port.name(ACL) + " cannot be read (" + e.getMessage() + "): not routed");
                return;
            }
        }
        String auth = port.own("AUTH");
        if (auth != null) {
            BasicAuth parsed = BasicAuthLabel.parse(auth);
            if (parsed == null) {
                problems.error(routeId, port.name("AUTH") + " is not realm:user:hash with a crypt(3) hash this"
                        + " balancer can verify" + BasicAuthLabel.hashKind(auth) + ": not routed");
                return;
            }
            options = options.withAuth(parsed);
        }
        RouteSpec spec = new RouteSpec(vhosts, paths, options, groups(port), weight(routeId, port));
        boolean vhostLabelled = vhostLabel != null && !vhostLabel.isBlank();
        spec = spec.withServicePort(servicePorts.read(routeId, port, index, ports, vhostLabelled));
        if (!main && !vhostLabelled) {
            // marathon-lb serves such a port only on its service port: no host, not even a derived one.
            if (spec.servicePort() == null) {
                return;
            }
            spec = spec.withoutHostRoute();
        }
        spec = servicePorts.honourable(routeId, spec, port.name("AUTH"));
        if (spec != null) {
            out.add(new PortRoute(index, routeId, spec));
        }
    }

    /** marathon-lb's {@code BACKEND_WEIGHT}: which app keeps a host that several claim. */
    private int weight(String routeId, PortLabels port) {
        String value = port.own("BACKEND_WEIGHT");
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            problems.warn(routeId, port.name("BACKEND_WEIGHT") + " '" + value.strip() + "' is not an integer; 0 it is");
            return 0;
        }
    }

    private static final String ACL = "BACKEND_NETWORK_ALLOWED_ACL";

    /** A path label's value: it must be a path; anything else is named in a warning and left out. */
    private String pathValue(String routeId, PortLabels port, String name) {
        String v = headerValue(routeId, port, name);
        if (v != null && !v.startsWith("/")) {
            problems.warn(routeId, port.name(name) + " '" + v + "' is not a path starting with '/'; ignored");
            return null;
        }
        return v;
    }

    /** A value that goes into a header: printable ASCII only, or it is named in a warning and left out. */
    private String headerValue(String routeId, PortLabels port, String name) {
        String v = port.own(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        v = v.strip();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                problems.warn(routeId, port.name(name) + " has a space or a byte a header cannot carry; ignored");
                return null;
            }
        }
        return v;
    }

    private Balance balance(String routeId, PortLabels port) {
        String word = port.own("BALANCE");
        if (word == null || word.isBlank()) {
            return Balance.ROUND_ROBIN;
        }
        Balance b = Balance.parse(word.strip());
        if (b == null) {
            problems.warn(routeId, port.name("BALANCE") + " '" + word.strip() + "' is not a balance mode here"
                    + " (roundrobin, leastconn, source, least-request); round-robin it is");
            return Balance.ROUND_ROBIN;
        }
        return b;
    }

    /**
     * marathon-lb's rule: a port's own {@code HAPROXY_<n>_GROUP} overrides the app's
     * {@code HAPROXY_GROUP}; ours ({@code MESOS_LB_<n>_GROUP}, {@code MESOS_LB_GROUP}) before theirs
     * at each level.
     */
    private static Set<String> groups(PortLabels port) {
        String own = port.own("GROUP");
        return own == null || own.isBlank() ? Labels.appGroups(port.app) : Labels.groupList(own);
    }

    private List<String> vhosts(String routeId, String label) {
        if (label == null || label.isBlank()) {
            return List.of();
        }
        Set<String> hosts = new LinkedHashSet<>();
        for (String part : label.split(",")) {
            String trimmed = part.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            String host = HostNames.normalize(trimmed);
            if (host == null) {
                problems.warn(routeId, "ignoring invalid vhost '" + trimmed + "'");
            } else {
                hosts.add(host);
            }
        }
        return new ArrayList<>(hosts);
    }

    /**
     * Prefixes as HAProxy's {@code path_beg} takes them, separated by spaces (or commas). A flag
     * ({@code -i} and the like) is HAProxy syntax that prefix matching here does not carry out: the
     * prefixes are kept and the flag is named in a warning.
     */
    private List<String> paths(String routeId, String label) {
        Set<String> prefixes = new LinkedHashSet<>();
        for (String part : label.split("[\\s,]+")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.charAt(0) == '-') {
                if (!part.equals("-i")) {
                    problems.warn(routeId, "path flag '" + part + "' is not supported; prefixes match as written");
                }
                continue;
            }
            if (part.charAt(0) != '/') {
                problems.warn(routeId, "path prefix '" + part + "' does not start with '/'; ignored");
                continue;
            }
            prefixes.add(part);
        }
        return new ArrayList<>(prefixes);
    }

    /**
     * The indexes of the ports other than the main one (and other than 0, whose labels are the main
     * port's) that have a vhost label of their own, a service port, or a {@code PORT} label naming one,
     * in order.
     */
    private static SortedSet<Integer> morePorts(Map<String, String> labels, int mainPortIndex, AppPorts ports) {
        SortedSet<Integer> more = new TreeSet<>();
        for (int index = 1; index < ports.count(); index++) {
            boolean portLabel = Labels.oursElseTheirs(labels, "MESOS_LB_" + index + "_PORT", "HAPROXY_" + index + "_PORT")
                    != null;
            if (index != mainPortIndex && (ports.servicePort(index) > 0 || portLabel)) {
                more.add(index);
            }
        }
        for (Map.Entry<String, String> label : labels.entrySet()) {
            String key = label.getKey();
            if (!key.endsWith("_VHOST") || label.getValue().isBlank()) {
                continue;
            }
            Matcher m = PORT_VHOST.matcher(key);
            if (m.matches()) {
                int index = Integer.parseInt(m.group(1));
                if (index != 0 && index != mainPortIndex) {
                    more.add(index);
                }
            }
        }
        return more;
    }

    /** One port's view of the labels: its own per-port names, ours before marathon-lb's. */
    static final class PortLabels {
        final Map<String, String> app;
        private final int index;
        private final boolean main;

        PortLabels(Map<String, String> app, int index, boolean main) {
            this.app = app;
            this.index = index;
            this.main = main;
        }

        /** The name of the label {@link #own} read for {@code name}: for messages. */
        String name(String name) {
            String ours = main ? "MESOS_LB_" + name : "MESOS_LB_" + index + "_" + name;
            return app.get(ours) != null && !app.get(ours).isBlank() ? ours : "HAPROXY_" + index + "_" + name;
        }

        /** {@code MESOS_LB_<name>} (main) or {@code MESOS_LB_<n>_<name>}, else {@code HAPROXY_<n>_<name>}. */
        String own(String name) {
            String ours = main ? "MESOS_LB_" + name : "MESOS_LB_" + index + "_" + name;
            if (main && name.equals("GROUP")) {
                // MESOS_LB_GROUP is the app-wide label; the main port's own is MESOS_LB_0_GROUP.
                ours = "MESOS_LB_0_GROUP";
            }
            return Labels.oursElseTheirs(app, ours, "HAPROXY_" + index + "_" + name);
        }

        /** Only {@code MESOS_LB_<name>} (main) or {@code MESOS_LB_<n>_<name>}: a label marathon-lb does not have. */
        String ours(String name) {
            return app.get(oursName(name));
        }

        /** The name {@link #ours} reads. */
        String oursName(String name) {
            return main ? "MESOS_LB_" + name : "MESOS_LB_" + index + "_" + name;
        }
    }
}
