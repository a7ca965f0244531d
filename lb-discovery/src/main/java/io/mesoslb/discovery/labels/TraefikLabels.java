package io.mesoslb.discovery.labels;

import io.mesoslb.core.BasicAuth;
import io.mesoslb.core.CidrList;
import io.mesoslb.core.RouteOptions;
import io.mesoslb.core.RouteSpec;
import io.mesoslb.discovery.labels.TraefikSegments.Segment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Traefik 1.7's Marathon-provider labels ({@code traefik.*}), read into the same routes
 * {@link PortRoutes} makes of marathon-lb's, so that apps labelled for Traefik move over without
 * relabelling and without losing a protection.
 *
 * <p>An app with a vhost or path label of mesos-lb or marathon-lb is not read here: those labels win.
 * A label that restricts access, or a rule that narrows routing, that cannot be carried out as Traefik
 * does keeps the route off the table, with an error naming the app and the label; a label that only
 * changes behaviour mesos-lb does not offer is named in a warning.
 */
public final class TraefikLabels {
    /** Labels that make {@link PortRoutes} the reader of the app's routes. */
    private static final Pattern MARATHON_LB_ROUTING =
            Pattern.compile("(?:MESOS_LB_(?:\\d{1,3}_)?|HAPROXY_\\d{1,3}_)(?:VHOST|PATH)");
    /**
     * Port labels of mesos-lb or marathon-lb that restrict or hide a port: next to Traefik's they would
     * be dropped, so such a mix is refused. ({@code MESOS_LB_GROUP} is app-wide and read here.)
     */
    private static final Pattern MARATHON_LB_RESTRICTING = Pattern.compile(
            "(?:MESOS_LB_(?:\\d{1,3}_)?|HAPROXY_\\d{1,3}_)(?:AUTH|BACKEND_NETWORK_ALLOWED_ACL|REDIRECT_TO_HTTPS|ENABLED|GROUP)");
    /** mesos-lb's own backend protocol label: next to Traefik's it would be dropped, and the backend sent bytes it cannot read. */
    private static final Pattern MESOS_LB_PROTOCOL = Pattern.compile("MESOS_LB_(?:\\d{1,3}_)?PROTO");
    private static final Pattern MARATHON_LB_OTHER = Pattern.compile("(?:MESOS_LB_(?:\\d{1,3}_)?|HAPROXY_\\d{1,3}_)(?:STICKY|BALANCE)");
    /** Traefik's auth labels that carry a protection mesos-lb has no way to apply. */
    private static final List<String> UNSUPPORTED_AUTH = List.of("frontend.auth.basic.usersFile",
            "frontend.auth.digest.users", "frontend.auth.digest.usersFile", "frontend.auth.forward.address");
    /** Traefik's labels that restrict access: never dropped in favour of marathon-lb's routing labels. */
    private static final List<String> RESTRICTING = List.of("frontend.auth.basic", "frontend.auth.basic.users",
            "frontend.auth.basic.usersFile", "frontend.auth.digest.users", "frontend.auth.digest.usersFile",
            "frontend.auth.forward.address", "frontend.whiteList.sourceRange", "frontend.whitelistSourceRange");
    /** Every property read here (as {@code traefik.<property>}); others are named in a warning. */
    private static final Set<String> READ = Set.of("enable", "port", "portIndex", "domain", "frontend.rule",
            "frontend.auth.basic", "frontend.auth.basic.users", "frontend.auth.basic.usersFile",
            "frontend.auth.digest.users", "frontend.auth.digest.usersFile", "frontend.auth.forward.address",
            "frontend.whiteList.sourceRange", "frontend.whitelistSourceRange", "frontend.whiteList.useXForwardedFor",
            "frontend.redirect.entryPoint", "frontend.passHostHeader", "frontend.priority",
            "frontend.headers.STSSeconds", "backend.loadbalancer.stickiness", "backend.loadbalancer.sticky", "protocol");

    private final boolean exposedByDefault;
    private final LabelProblems problems;

    /**
     * @param exposedByDefault Traefik's {@code exposedByDefault} (its default: true): false routes an app
     *                         without mesos-lb or marathon-lb routing labels only when it says
     *                         {@code traefik.enable=true}
     */
    public TraefikLabels(boolean exposedByDefault, LabelProblems problems) {
        this.exposedByDefault = exposedByDefault;
        this.problems = problems;
    }

    /** {@link #routes(String, Map, int, List)} for an app whose fixed port numbers are not known. */
    public List<PortRoutes.PortRoute> routes(String appId, Map<String, String> labels, int mainPortIndex) {
        return routes(appId, labels, mainPortIndex, List.of());
    }

    /**
     * The app's routes as its Traefik labels make them.
     *
     * @param mainPortIndex the port index {@code MESOS_LB_PORT_INDEX} gave (default 0)
     * @param fixedPorts    for {@code traefik.port}: the port number each port index is reached on when
     *                      it is fixed (host networking with {@code requirePorts}: {@code portDefinitions[].port};
     *                      bridge: {@code portMappings[].hostPort}; IP-per-task: {@code containerPort}),
     *                      0 where it is assigned per task
     * @return null when the app's routes are {@link PortRoutes}' business (a mesos-lb or marathon-lb vhost or
     *         path label, or no {@code traefik.*} label while apps are exposed by default); else its routes,
     *         empty when it is hidden or every route failed closed
     */
    public List<PortRoutes.PortRoute> routes(String appId, Map<String, String> labels, int mainPortIndex,
                                             List<Integer> fixedPorts) {
        Map<String, Segment> segments = TraefikSegments.of(labels);
        String marathonLb = firstKey(labels, MARATHON_LB_ROUTING);
        if (marathonLb != null) {
            String restricting = restrictingTraefikLabel(segments);
            if (restricting != null) {
                // marathon-lb's labels would decide the routes, and this protection would silently go.
                problems.error(appId, restricting + " cannot be combined with " + marathonLb + " (move the"
                        + " protection to HAPROXY_<n>_AUTH / _BACKEND_NETWORK_ALLOWED_ACL, or drop the vhost and"
                        + " path labels to use Traefik's): not routed");
                return List.of();
            }
            if (!segments.isEmpty()) {
                problems.warn(appId, "traefik.* labels are not read: " + marathonLb + " is set, and mesos-lb's"
                        + " and marathon-lb's labels win");
            }
            return null;
        }
        if (segments.isEmpty() && exposedByDefault) {
            return null;
        }
        if (!enabled(appId, labels)) {
            return List.of();
        }
        String restricting = firstKey(labels, MARATHON_LB_RESTRICTING);
        if (restricting != null) {
            // Traefik's labels decide the routes here, so this one would silently stop applying.
            problems.error(appId, restricting + " cannot be combined with traefik.* labels (set a vhost label"
                    + " to use marathon-lb's labels, or use Traefik's for the same thing): not routed");
            return List.of();
        }
        String protocol = firstKey(labels, MESOS_LB_PROTOCOL);
        if (protocol != null) {
            problems.error(appId, protocol + " cannot be combined with traefik.* labels (use traefik.protocol, or set a"
                    + " vhost label to use mesos-lb's labels): not routed");
            return List.of();
        }
        String other = firstKey(labels, MARATHON_LB_OTHER);
        if (other != null) {
            problems.warn(appId, other + " is not read next to traefik.* labels (set a vhost label to use"
                    + " marathon-lb's labels)");
        }
        reportUnread(appId, labels);
        if (segments.isEmpty()) {
            // traefik.enable=true alone: Traefik's default rule, the app's derived name.
            segments = Map.of("", new Segment("", Map.of(), Map.of()));
        }
        List<PortRoutes.PortRoute> out = new ArrayList<>(segments.size());
        for (Segment segment : segments.values()) {
            PortRoutes.PortRoute route = route(appId, labels, segment, mainPortIndex, fixedPorts);
            if (route != null) {
                out.add(route);
            }
        }
        return out;
    }

    /** The first Traefik label of any segment that restricts access, or null. */
    private static String restrictingTraefikLabel(Map<String, Segment> segments) {
        for (Segment s : segments.values()) {
            for (String property : RESTRICTING) {
                if (present(s.get(property))) {
                    return s.label(property);
                }
            }
        }
        return null;
    }

    private boolean enabled(String appId, Map<String, String> labels) {
        String value = labels.get("traefik.enable");
        if (value == null) {
            return exposedByDefault;
        }
        Boolean on = goBool(value);
        if (on == null) {
            // Traefik would fall back to exposedByDefault; a label meant to hide the app must not expose it.
            problems.error(appId, "traefik.enable '" + value + "' is not a boolean: not routed");
            return false;
        }
        return on;
    }

    /** One segment's route, or null (after an error naming the app and label) when it fails closed. */
    private PortRoutes.PortRoute route(String appId, Map<String, String> labels, Segment s, int mainPortIndex,
                                       List<Integer> fixedPorts) {
        String routeId = s.isNamed() ? appId + "#" + s.name() : appId;
        int index = TraefikPort.index(routeId, s, labels, mainPortIndex, fixedPorts, problems);
        if (index < 0) {
            return null;
        }
        TraefikRule rule = rule(routeId, s);
        if (rule == null) {
            return null;
        }
        RouteOptions options = RouteOptions.of(httpsOnly(routeId, s), goTrue(s.get("backend.loadbalancer.stickiness"))
                || goTrue(s.get("backend.loadbalancer.sticky")));
        for (String property : UNSUPPORTED_AUTH) {
            if (present(s.get(property))) {
                problems.error(routeId, s.label(property) + " asks for authentication mesos-lb cannot carry out"
                        + " (one basic-auth user with a crypt(3) hash only): not routed");
                return null;
            }
        }
        String ranges = present(s.get("frontend.whiteList.sourceRange")) ? "frontend.whiteList.sourceRange"
                : "frontend.whitelistSourceRange";
        if (present(s.get(ranges))) {
            try {
                options = options.withAllowFrom(CidrList.parse(s.get(ranges)));
            } catch (IllegalArgumentException e) {
                // Traefik would allow everyone on a bad list; the list was meant to keep clients out.
                problems.error(routeId, s.label(ranges) + " cannot be read (" + e.getMessage() + "): not routed");
                return null;
            }
            if (goTrue(s.get("frontend.whiteList.useXForwardedFor"))) {
                problems.warn(routeId, s.label("frontend.whiteList.useXForwardedFor") + ": the client address is"
                        + " taken from X-Forwarded-For only when the peer is in trusted-proxies (Traefik believed"
                        + " any sender)");
            }
        }
        List<String> users = new ArrayList<>(2);
        for (String property : List.of("frontend.auth.basic", "frontend.auth.basic.users")) {
            if (present(s.get(property))) {
                users.add(s.get(property));
            }
        }
        try {
            BasicAuth auth = TraefikBasicAuth.parse(users);
            if (auth != null) {
                options = options.withAuth(auth);
            }
        } catch (TraefikBasicAuth.Refused e) {
            problems.error(routeId, "basic auth (" + s.label(present(s.get("frontend.auth.basic"))
                    ? "frontend.auth.basic" : "frontend.auth.basic.users") + ") " + e.getMessage() + ": not routed");
            return null;
        }
        try {
            options = options.withProtocol(BackendProtocolLabel.traefik(s.get("protocol")));
        } catch (BackendProtocolLabel.Refused e) {
            problems.error(routeId, s.label("protocol") + " '" + s.get("protocol").strip() + "' " + e.getMessage()
                    + ": not routed");
            return null;
        }
        reportUnhonoured(routeId, s);
        return new PortRoutes.PortRoute(index, routeId,
                new RouteSpec(rule.hosts(), rule.paths(), options, Labels.appGroups(labels), priority(routeId, s)));
    }

    private TraefikRule rule(String routeId, Segment s) {
        String value = s.get("frontend.rule");
        if (value == null) {
            if (s.isNamed()) {
                problems.error(routeId, "segment '" + s.name() + "' has no " + s.label("frontend.rule") + "; Traefik"
                        + " names it " + s.name() + ".<app>.<domain>, which mesos-lb does not derive: give it a Host"
                        + " rule: not routed");
                return null;
            }
            if (present(s.get("domain"))) {
                problems.warn(routeId, "traefik.domain is not honoured: the app is served under mesos-lb's domain;"
                        + " give it a Host rule");
            }
            return new TraefikRule(List.of(), List.of());
        }
        List<String> warnings = new ArrayList<>();
        TraefikRule rule;
        try {
            rule = TraefikRule.parse(value, warnings);
        } catch (TraefikRule.Refused e) {
            problems.error(routeId, s.label("frontend.rule") + " '" + value + "' " + e.getMessage() + ": not routed");
            return null;
        }
        for (String w : warnings) {
            problems.warn(routeId, w);
        }
        if (rule.hosts().isEmpty()) {
            if (s.isNamed()) {
                problems.error(routeId, s.label("frontend.rule") + " '" + value + "' names no Host, and mesos-lb"
                        + " routes a segment only by its host names: not routed");
                return null;
            }
            problems.warn(routeId, s.label("frontend.rule") + " '" + value + "' names no Host: Traefik matched it"
                    + " on every host, mesos-lb serves it under the app's derived name only");
        }
        return rule;
    }

    private boolean httpsOnly(String routeId, Segment s) {
        String entryPoint = s.get("frontend.redirect.entryPoint");
        if (!present(entryPoint)) {
            return false;
        }
        if (entryPoint.strip().equalsIgnoreCase("https")) {
            return true;
        }
        problems.warn(routeId, s.label("frontend.redirect.entryPoint") + " '" + entryPoint + "' is not honoured:"
                + " only a redirect to https is (entry point 'https')");
        return false;
    }

    /**
     * {@code frontend.priority} as the route's weight: among routes claiming the same host (and
     * prefix), the higher wins, as in Traefik. Not a number: warned, 0.
     */
    private int priority(String routeId, Segment s) {
        String priority = s.get("frontend.priority");
        if (!present(priority)) {
            return 0;
        }
        try {
            return Integer.parseInt(priority.strip());
        } catch (NumberFormatException e) {
            problems.warn(routeId, s.label("frontend.priority") + " '" + priority.strip() + "' is not a number; 0");
            return 0;
        }
    }

    /** Labels that are read but change nothing here. */
    private void reportUnhonoured(String routeId, Segment s) {
        String passHost = s.get("frontend.passHostHeader");
        if (passHost != null && !Boolean.TRUE.equals(goBool(passHost))) {
            problems.warn(routeId, s.label("frontend.passHostHeader") + " '" + passHost + "' is not honoured: the"
                    + " client's Host always reaches the app");
        }
        if (present(s.get("frontend.headers.STSSeconds"))) {
            problems.warn(routeId, s.label("frontend.headers.STSSeconds") + " is not honoured: mesos-lb adds no"
                    + " Strict-Transport-Security; have the app send it");
        }
    }

    /** Every traefik.* label this class does not read, named once per app. */
    private void reportUnread(String appId, Map<String, String> labels) {
        for (String key : labels.keySet()) {
            String property = TraefikSegments.property(key);
            if (property != null && !READ.contains(property)) {
                problems.warn(appId, "label " + key + " is not honoured by mesos-lb (see docs/migrating-from-marathon-lb.md)");
            }
        }
    }

    private static String firstKey(Map<String, String> labels, Pattern pattern) {
        String first = null;
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (present(label.getValue()) && pattern.matcher(label.getKey()).matches()
                    && !label.getKey().equals("MESOS_LB_GROUP")
                    && (first == null || label.getKey().compareTo(first) < 0)) {
                first = label.getKey();
            }
        }
        return first;
    }

    static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    /** Go's {@code strconv.ParseBool}, which Traefik reads booleans with; null when it is none. */
    static Boolean goBool(String value) {
        return switch (value.strip()) {
            case "1", "t", "T", "TRUE", "true", "True" -> Boolean.TRUE;
            case "0", "f", "F", "FALSE", "false", "False" -> Boolean.FALSE;
            default -> null;
        };
    }

    private static boolean goTrue(String value) {
        return value != null && Boolean.TRUE.equals(goBool(value));
    }
}
