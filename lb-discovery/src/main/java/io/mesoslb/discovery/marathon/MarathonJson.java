package io.mesoslb.discovery.marathon;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Marathon's app and task JSON, of any 1.x version, into {@link MarathonApp}s.
 *
 * <p>Works on the tree rather than on bound classes because the same information sits in different
 * fields across versions (1.5+ {@code networks}/{@code container.portMappings}/{@code portDefinitions}
 * versus pre-1.5 {@code ipAddress}/{@code container.docker.*}/{@code ports}) and any field may be
 * missing or null. Apps or tasks without an id are skipped, never fatal.
 */
public final class MarathonJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private static final Logger log = LoggerFactory.getLogger(MarathonJson.class);

    private MarathonJson() {
    }

    /**
     * Parses a list of apps: {@code GET /v2/apps} ({@code {"apps":[...]}}), {@code GET /v2/apps/{id}}
     * ({@code {"app":{...}}}), {@code GET /v2/apps/{group}/*} ({@code {"*":[...]}}) or a bare array.
     *
     * @throws IOException if the bytes are not JSON or not one of those shapes
     */
    public static List<MarathonApp> parseApps(byte[] json) throws IOException {
        return appsOf(MAPPER.readTree(json));
    }

    public static List<MarathonApp> parseApps(InputStream json) throws IOException {
        return appsOf(MAPPER.readTree(json));
    }

    /**
     * As {@link #parseApps(InputStream)}, but streamed: the document is read token by token, each app too
     * ({@link AppStreamReader}: no tree of an app's tasks), so a snapshot of tens of MB costs the apps it
     * holds, not its text and a tree of it. Takes the same shapes, with the same precedence when several
     * are there.
     *
     * @throws IOException if the bytes are not JSON or not one of those shapes
     */
    public static List<MarathonApp> streamApps(InputStream json) throws IOException {
        try (JsonParser p = MAPPER.getFactory().createParser(json)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new IOException("empty document");
            }
            List<MarathonApp> apps = new ArrayList<>();
            if (first == JsonToken.START_ARRAY) {
                readApps(p, apps);
                return apps;
            }
            if (first != JsonToken.START_OBJECT) {
                throw new IOException(SHAPES);
            }
            // As appsOf: "apps" before "*" before "app", whatever their order in the document.
            int best = Integer.MAX_VALUE;
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                int rank = value == JsonToken.START_ARRAY ? ("apps".equals(name) ? 0 : "*".equals(name) ? 1 : 9)
                        : value == JsonToken.START_OBJECT && "app".equals(name) ? 2 : 9;
                if (rank > 2 || rank >= best) {
                    p.skipChildren();
                    continue;
                }
                best = rank;
                apps.clear();
                if (rank == 2) {
                    addApp(AppStreamReader.app(p), apps);
                } else {
                    readApps(p, apps);
                }
            }
            if (best == Integer.MAX_VALUE) {
                throw new IOException(SHAPES);
            }
            return apps;
        }
    }

    private static final String SHAPES = "expected {\"apps\":[...]}, {\"app\":{...}} or an array of apps";

    /** The elements of the array the parser is at the start of, one app at a time. */
    private static void readApps(JsonParser p, List<MarathonApp> out) throws IOException {
        while (p.nextToken() != JsonToken.END_ARRAY) {
            addApp(AppStreamReader.app(p), out);
        }
    }

    private static void addApp(MarathonApp app, List<MarathonApp> out) {
        if (app != null) {
            out.add(app);
        }
    }

    static List<MarathonApp> appsOf(JsonNode root) throws IOException {
        JsonNode list;
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new IOException("empty document");
        } else if (root.isArray()) {
            list = root;
        } else if (root.path("apps").isArray()) {
            list = root.get("apps");
        } else if (root.path("*").isArray()) {
            list = root.get("*");
        } else if (root.path("app").isObject()) {
            list = MAPPER.createArrayNode().add(root.get("app"));
        } else {
            throw new IOException(SHAPES);
        }
        List<MarathonApp> apps = new ArrayList<>(list.size());
        for (JsonNode node : list) {
            addApp(app(node), apps);
        }
        return apps;
    }

    /** One app object, or null when it has no id. */
    static MarathonApp app(JsonNode node) {
        return app(node, labels(node.path("labels")), id -> {
            List<MarathonTask> tasks = new ArrayList<>();
            for (JsonNode t : node.path("tasks")) {
                MarathonTask task = task(t, id);
                if (task != null) {
                    tasks.add(task);
                }
            }
            return tasks;
        });
    }

    /**
     * One app, from its fields other than labels and tasks ({@code node}: a whole app, or {@link AppStreamReader}'s
     * small fields), its labels and its tasks given the app's absolute id; null when it has no id.
     */
    static MarathonApp app(JsonNode node, Map<String, String> labels, Function<String, List<MarathonTask>> tasksOf) {
        String id = text(node, "id");
        if (id == null || id.isBlank()) {
            log.warn("skipping a Marathon app without an id");
            return null;
        }
        id = absoluteId(id);
        List<MarathonTask> tasks = tasksOf.apply(id);
        JsonNode portDefinitions = node.path("portDefinitions");
        List<Integer> definedPorts = portDefinitions.isArray() && !portDefinitions.isEmpty()
                ? ints(portDefinitions, "port") : ints(node.path("ports"), null);
        NetworkMode mode = networkMode(node);
        return new MarathonApp(id, labels, mode, portIndex(id, labels), definedPorts,
                node.path("requirePorts").asBoolean(false), containerPorts(node),
                node.path("healthChecks").size(), tasks, node.path("instances").asInt(tasks.size()),
                servicePorts(node, mode, definedPorts), healthChecks(node.path("healthChecks")));
    }

    /**
     * Each port's service port by index, 0 where it has none, as marathon-lb's
     * {@code ServicePortAssigner.get_service_ports} finds them: in bridge and container networking the
     * port mappings' {@code servicePort}s ({@code container.docker.portMappings} before 1.5, else
     * {@code container.portMappings}) when any is set; otherwise {@code portDefinitions[].port} (1.4:
     * {@code ports[]}). Unlike marathon-lb, a mapping without one keeps its place (marathon-lb drops it
     * and shifts the ports after it to other indexes), and no port is made up for a 1.4 IP-per-task app.
     */
    static List<Integer> servicePorts(JsonNode app, NetworkMode mode, List<Integer> definedPorts) {
        if (mode != NetworkMode.HOST) {
            JsonNode container = app.path("container");
            JsonNode mappings = container.path("docker").path("portMappings");
            if (!mappings.isArray() || mappings.isEmpty()) {
                mappings = container.path("portMappings");
            }
            List<Integer> fromMappings = validPorts(ints(mappings, "servicePort"));
            for (int p : fromMappings) {
                if (p > 0) {
                    return fromMappings;
                }
            }
        }
        return validPorts(definedPorts);
    }

    private static List<Integer> validPorts(List<Integer> ports) {
        List<Integer> out = new ArrayList<>(ports.size());
        for (int p : ports) {
            out.add(p >= 1 && p <= 65_535 ? p : 0);
        }
        return out;
    }

    /**
     * The checks as Marathon reports them: a check of a port ({@code HTTP}, {@code TCP}, ...) that names
     * neither a port nor an index watches index 0, Marathon's default, which Marathon's answers spell out.
     */
    static List<MarathonApp.HealthCheck> healthChecks(JsonNode array) {
        List<MarathonApp.HealthCheck> checks = new ArrayList<>(array.size());
        for (JsonNode c : array) {
            String protocol = text(c, "protocol");
            protocol = protocol == null ? "HTTP" : protocol.strip().toUpperCase(Locale.ROOT);
            int port = c.path("port").canConvertToInt() ? c.path("port").asInt() : 0;
            int index = c.path("portIndex").canConvertToInt() ? c.path("portIndex").asInt() : -1;
            boolean watchesAPort = !protocol.equals("COMMAND") && !protocol.equals("MESOS_COMMAND");
            if (index < 0 && port <= 0 && watchesAPort) {
                index = 0;
            }
            checks.add(new MarathonApp.HealthCheck(protocol, index, port));
        }
        return checks;
    }

    /** One task object, or null when it has no id; {@code appId} is used when the task does not name its app. */
    static MarathonTask task(JsonNode node, String appId) {
        return task(text(node, "id"), text(node, "appId"), appId, text(node, "host"), ints(node.path("ports"), null),
                ipAddresses(node.path("ipAddresses")),
                state(text(node, "state"), text(node, "stagedAt") != null, text(node, "startedAt") != null),
                healthResults(node.path("healthCheckResults")));
    }

    /** A task from its fields (each textual one null unless text), or null when it has no id. */
    static MarathonTask task(String id, String ownApp, String appId, String host, List<Integer> ports,
                             List<String> ipAddresses, String state, List<HealthResult> healthResults) {
        if (id == null || id.isEmpty()) {
            return null;
        }
        return new MarathonTask(id, ownApp != null ? ownApp : appId, host, ports, ipAddresses, state, healthResults);
    }

    static List<String> ipAddresses(JsonNode array) {
        List<String> ips = new ArrayList<>(array.size());
        for (JsonNode ip : array) {
            String address = text(ip, "ipAddress");
            if (address != null && !address.isBlank()) {
                ips.add(address.strip());
            }
        }
        return ips;
    }

    /**
     * Marathon before ~1.3 sends no {@code state}; it lists only active tasks, and {@code startedAt}
     * appears once one runs. A task without any of these (a hand-written file) counts as running.
     */
    static String state(String state, boolean staged, boolean started) {
        if (state != null) {
            return state;
        }
        return staged && !started ? "TASK_STAGING" : MarathonTask.RUNNING;
    }

    /** Null when Marathon reported no result (grace period, or a new leader that has not checked yet). */
    static List<HealthResult> healthResults(JsonNode array) {
        if (!array.isArray() || array.isEmpty()) {
            return null;
        }
        List<HealthResult> results = new ArrayList<>(array.size());
        for (JsonNode r : array) {
            if (r.isObject()) {
                String id = text(r, "instanceId");
                results.add(new HealthResult(r.path("alive").asBoolean(false), id != null ? id : text(r, "taskId")));
            }
        }
        return results.isEmpty() ? null : results;
    }

    static NetworkMode networkMode(JsonNode app) {
        JsonNode networks = app.path("networks");
        if (networks.isArray() && !networks.isEmpty()) {
            NetworkMode mode = NetworkMode.HOST;
            for (JsonNode n : networks) {
                String m = text(n, "mode");
                // Marathon's Network.mode defaults to "container": {"name":"dcos"} is an IP-per-task network.
                if (m == null || "container".equals(m)) {
                    return NetworkMode.CONTAINER;
                }
                if ("container/bridge".equals(m)) {
                    mode = NetworkMode.BRIDGE;
                }
            }
            return mode;
        }
        if (app.path("ipAddress").isObject()) {
            return NetworkMode.CONTAINER;
        }
        String dockerNetwork = text(app.path("container").path("docker"), "network");
        if ("USER".equalsIgnoreCase(dockerNetwork)) {
            return NetworkMode.CONTAINER;
        }
        if ("BRIDGE".equalsIgnoreCase(dockerNetwork)) {
            return NetworkMode.BRIDGE;
        }
        return NetworkMode.HOST;
    }

    private static List<Integer> containerPorts(JsonNode app) {
        JsonNode container = app.path("container");
        JsonNode mappings = container.path("portMappings");
        if (mappings.isArray() && !mappings.isEmpty()) {
            return ints(mappings, "containerPort");
        }
        JsonNode discovery = app.path("ipAddress").path("discovery").path("ports");
        if (discovery.isArray() && !discovery.isEmpty()) {
            return ints(discovery, "number");
        }
        return ints(container.path("docker").path("portMappings"), "containerPort");
    }

    private static int portIndex(String appId, Map<String, String> labels) {
        String value = labels.get(MarathonApp.PORT_INDEX_LABEL);
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            int index = Integer.parseInt(value.strip());
            if (index >= 0) {
                return index;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        log.warn("app {}: {}={} is not a port index; using 0", appId, MarathonApp.PORT_INDEX_LABEL, value);
        return 0;
    }

    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                labels.put(e.getKey(), e.getValue().asText());
            }
        }
        return labels;
    }

    /**
     * The ints of an array, or of one field of each object in it; 0 keeps the place of a missing value
     * so that indexes still line up with the app's port order.
     */
    static List<Integer> ints(JsonNode array, String field) {
        List<Integer> values = new ArrayList<>(array.size());
        for (JsonNode n : array) {
            JsonNode v = field == null ? n : n.path(field);
            values.add(v.canConvertToInt() ? v.asInt() : 0);
        }
        return values;
    }

    /** Marathon answers with absolute ids; app definitions (files, api_post_event) may be relative. */
    static String absoluteId(String id) {
        return id.startsWith("/") ? id : "/" + id;
    }

    /** A textual field, or null when it is missing, null or not text. */
    static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() ? v.asText() : null;
    }
}
