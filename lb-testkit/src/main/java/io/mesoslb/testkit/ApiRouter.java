package io.mesoslb.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Marathon's REST endpoints (except {@code /v2/events}, which needs the channel) over the shared state. Runs on the
 * control thread, so each request sees one consistent state.
 */
final class ApiRouter {
    private static final String APPS = "/v2/apps";
    private static final String SIM_TASKS = "/_sim/tasks/";
    private static final String REPLACE = "/replace";
    private static final String SIM_CLOCK = "/_sim/clock";
    private static final Set<String> TASK_EMBEDS = Set.of("tasks", "failures");

    private final Cluster cluster;
    private final Marathon marathon;

    ApiRouter(Cluster cluster) {
        this.cluster = cluster;
        this.marathon = cluster.marathon();
    }

    /** Most answers are complete when this returns; a task's replacement is answered once it runs. */
    CompletableFuture<SimResponse> route(ApiRequest r) {
        try {
            String path = r.path();
            if (r.method().equals(HttpMethod.POST) && path.startsWith(SIM_TASKS) && path.endsWith(REPLACE)) {
                return marathon.replace(path.substring(SIM_TASKS.length(), path.length() - REPLACE.length()))
                        .thenApply(ApiRouter::replaced)
                        .exceptionally(e -> failure(e instanceof CompletionException ? e.getCause() : e));
            }
            return CompletableFuture.completedFuture(dispatch(r));
        } catch (RuntimeException | JsonProcessingException e) {
            return CompletableFuture.completedFuture(failure(e));
        }
    }

    /** Marathon's status for each kind of failure (see {@link Marathon}); anything else is the simulator's bug. */
    private static SimResponse failure(Throwable e) {
        if (e instanceof NoSuchElementException) {
            return SimResponse.message(HttpResponseStatus.NOT_FOUND, e.getMessage());
        }
        if (e instanceof IllegalStateException) {
            return SimResponse.message(HttpResponseStatus.CONFLICT, e.getMessage());
        }
        if (e instanceof IllegalArgumentException) {
            return invalid(e.getMessage());
        }
        if (e instanceof JsonProcessingException j) {
            return SimResponse.message(HttpResponseStatus.BAD_REQUEST, "Invalid JSON: " + j.getOriginalMessage());
        }
        throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }

    private static SimResponse replaced(Replacement r) {
        ObjectNode out = MarathonJson.MAPPER.createObjectNode();
        out.put("killedTaskId", r.killedTaskId()).put("taskId", r.taskId())
                .put("runningNanoTime", r.runningNanoTime()).put("handedOverNanoTime", r.handedOverNanoTime());
        return SimResponse.json(HttpResponseStatus.OK, out);
    }

    private SimResponse dispatch(ApiRequest r) throws JsonProcessingException {
        String path = r.path();
        HttpMethod m = r.method();
        if (path.equals("/ping")) {
            return get(m, () -> SimResponse.text(HttpResponseStatus.OK, "text/plain; charset=utf-8", "pong"));
        }
        if (path.equals(SIM_CLOCK)) {
            // Comparable with another JVM's System.nanoTime() on the same Linux host: both read CLOCK_MONOTONIC.
            return get(m, () -> SimResponse.json(HttpResponseStatus.OK,
                    MarathonJson.MAPPER.createObjectNode().put("nanoTime", System.nanoTime())));
        }
        if (path.equals("/v2/leader")) {
            return get(m, this::leader);
        }
        if (path.equals("/v2/tasks")) {
            return get(m, () -> allTasks(r));
        }
        if (path.equals(APPS) || path.equals(APPS + "/")) {
            if (m.equals(HttpMethod.GET)) {
                return listApps(r);
            }
            if (m.equals(HttpMethod.POST)) {
                return createApp(r);
            }
            return notAllowed();
        }
        if (path.startsWith(APPS + "/")) {
            return appResource(r, path.substring(APPS.length()));
        }
        if (path.startsWith(SIM_TASKS)) {
            return simTask(r, path.substring(SIM_TASKS.length()));
        }
        return SimResponse.message(HttpResponseStatus.NOT_FOUND, "Not Found: " + path);
    }

    private SimResponse leader() {
        MarathonSimulator leader = cluster.leader();
        if (leader == null) {
            return SimResponse.message(HttpResponseStatus.NOT_FOUND, "There is no leader");
        }
        return SimResponse.json(HttpResponseStatus.OK,
                MarathonJson.MAPPER.createObjectNode().put("leader", leader.hostAndPort()));
    }

    private SimResponse listApps(ApiRequest r) {
        boolean withTasks = r.param("embed").stream().map(ApiRouter::embedName).anyMatch(TASK_EMBEDS::contains);
        String idFilter = r.first("id");
        String labelFilter = r.first("label");
        ObjectNode out = MarathonJson.MAPPER.createObjectNode();
        ArrayNode apps = out.putArray("apps");
        for (AppState app : marathon.apps()) {
            if ((idFilter == null || app.id.contains(idFilter)) && LabelSelector.matches(labelFilter, app.labels)) {
                apps.add(MarathonJson.app(app, withTasks));
            }
        }
        return SimResponse.json(HttpResponseStatus.OK, out);
    }

    /** {@code apps.tasks}, {@code app.tasks}, {@code group.apps.tasks} and {@code tasks} all mean the same. */
    private static String embedName(String embed) {
        int dot = embed.lastIndexOf('.');
        return dot < 0 ? embed : embed.substring(dot + 1);
    }

    private SimResponse createApp(ApiRequest r) throws JsonProcessingException {
        JsonNode body = parse(r.body());
        JsonNode id = body.get("id");
        if (id == null || !id.isTextual()) {
            return invalid("/id: error.path.missing");
        }
        AppState app = create(id.asText(), body, APPS);
        ObjectNode json = MarathonJson.app(app, false);
        return SimResponse.json(HttpResponseStatus.CREATED, json, Map.of("Location", APPS + app.id));
    }

    private AppState create(String id, JsonNode body, String uri) {
        int instances = body.path("instances").asInt(1);
        JsonNode checks = body.get("healthChecks");
        boolean healthChecks = checks != null && checks.isArray() && !checks.isEmpty();
        JsonNode definitions = body.get("portDefinitions");
        if (definitions == null || !definitions.isArray() || definitions.isEmpty()) {
            return marathon.create(id, instances, labels(body.get("labels")), healthChecks, uri);
        }
        // Host networking with ports of its own (e.g. a balancer's 80/443/9090 with requirePorts): each port is
        // an HTTP port on that service port (0: the next free one), as Marathon would assign it.
        List<SimPort> ports = new ArrayList<>();
        for (JsonNode d : definitions) {
            JsonNode port = d.path("port");
            if (!port.canConvertToInt() || port.asInt() < 0 || port.asInt() > 65_535) {
                throw new IllegalArgumentException("/portDefinitions: port must be 0-65535");
            }
            ports.add(SimPort.http(port.asInt()));
        }
        if (body.path("requirePorts").asBoolean(false) && ports.stream().anyMatch(p -> p.servicePort() == 0)) {
            throw new IllegalArgumentException("/requirePorts: every port must be fixed (non-zero) with requirePorts");
        }
        if (checks != null) {
            for (JsonNode c : checks) {
                int index = c.path("portIndex").asInt(0);
                if (index < 0 || index >= ports.size()) {
                    throw new IllegalArgumentException("/healthChecks: portIndex " + index + " is not a port of the app");
                }
            }
        }
        validateConstraints(body.get("constraints"));
        ObjectNode posted = ((ObjectNode) body).deepCopy();
        posted.remove(List.of("id", "instances", "labels", "portDefinitions", "networks", "version", "versionInfo",
                "tasks", "deployments"));
        return marathon.create(id, instances, labels(body.get("labels")), healthChecks, ports, false, posted, uri);
    }

    private static final Set<String> CONSTRAINT_OPERATORS =
            Set.of("UNIQUE", "CLUSTER", "GROUP_BY", "LIKE", "UNLIKE", "MAX_PER", "IS");

    /** As Marathon checks {@code constraints}: {@code [field, operator]} or {@code [field, operator, value]}. */
    private static void validateConstraints(JsonNode constraints) {
        if (constraints == null) {
            return;
        }
        if (!constraints.isArray()) {
            throw new IllegalArgumentException("/constraints: error.expected.jsarray");
        }
        for (JsonNode c : constraints) {
            if (!c.isArray() || c.size() < 2 || c.size() > 3 || !c.get(0).isTextual() || !c.get(1).isTextual()
                    || !CONSTRAINT_OPERATORS.contains(c.get(1).asText())) {
                throw new IllegalArgumentException("/constraints: not a valid constraint: " + c);
            }
            if (c.get(1).asText().equals("UNIQUE") && c.size() == 3) {
                throw new IllegalArgumentException("/constraints: UNIQUE takes no value: " + c);
            }
        }
    }

    /** {@code rest} is everything after {@code /v2/apps}: an app id, optionally followed by a sub-resource. */
    private SimResponse appResource(ApiRequest r, String rest) throws JsonProcessingException {
        HttpMethod m = r.method();
        int killAt = rest.lastIndexOf("/tasks/");
        if (m.equals(HttpMethod.DELETE) && killAt > 0) {
            return killTask(r, rest.substring(killAt + "/tasks/".length()));
        }
        if (m.equals(HttpMethod.GET) && rest.endsWith("/tasks")) {
            AppState owner = marathon.findApp(rest.substring(0, rest.length() - "/tasks".length()));
            if (owner != null) {
                return tasks(List.of(owner), null);
            }
        }
        if (m.equals(HttpMethod.POST) && rest.endsWith("/restart")) {
            String deployment = marathon.restart(rest.substring(0, rest.length() - "/restart".length()));
            return deploymentResult(HttpResponseStatus.OK, deployment);
        }
        if (m.equals(HttpMethod.GET)) {
            ObjectNode out = MarathonJson.MAPPER.createObjectNode();
            out.set("app", MarathonJson.app(marathon.app(rest), true));
            return SimResponse.json(HttpResponseStatus.OK, out);
        }
        if (m.equals(HttpMethod.PUT)) {
            return updateApp(r, rest);
        }
        if (m.equals(HttpMethod.DELETE)) {
            return deploymentResult(HttpResponseStatus.OK, marathon.delete(rest));
        }
        return notAllowed();
    }

    private SimResponse updateApp(ApiRequest r, String id) throws JsonProcessingException {
        JsonNode body = parse(r.body());
        String uri = APPS + Marathon.normalizeId(id);
        if (marathon.findApp(id) == null) {
            AppState created = create(id, body, uri);
            return SimResponse.json(HttpResponseStatus.CREATED, MarathonJson.app(created, false));
        }
        JsonNode instances = body.get("instances");
        if (instances != null && !instances.canConvertToInt()) {
            return invalid("/instances: error.expected.jsnumber");
        }
        Integer target = instances == null ? null : instances.asInt();
        Map<String, String> labels = body.has("labels") ? labels(body.get("labels")) : null;
        return deploymentResult(HttpResponseStatus.OK, marathon.update(id, target, labels, uri));
    }

    private SimResponse killTask(ApiRequest r, String taskId) {
        boolean scale = Boolean.parseBoolean(r.first("scale"));
        TaskState t = marathon.kill(taskId, scale);
        if (scale) {
            return deploymentResult(HttpResponseStatus.OK, UUID.randomUUID().toString());
        }
        ObjectNode out = MarathonJson.MAPPER.createObjectNode();
        out.set("task", MarathonJson.task(t, null));
        return SimResponse.json(HttpResponseStatus.OK, out);
    }

    /** Simulator-only controls, so a human can drive a demo with curl. */
    private SimResponse simTask(ApiRequest r, String rest) throws JsonProcessingException {
        if (r.method().equals(HttpMethod.PUT) && rest.endsWith("/health")) {
            String taskId = rest.substring(0, rest.length() - "/health".length());
            JsonNode alive = parse(r.body()).get("alive");
            if (alive == null || !alive.isBoolean()) {
                return invalid("/alive: expected true or false");
            }
            marathon.setHealth(taskId, alive.asBoolean());
            return taskResult(marathon.task(taskId));
        }
        if (r.method().equals(HttpMethod.POST) && rest.endsWith("/fail")) {
            String taskId = rest.substring(0, rest.length() - "/fail".length());
            marathon.fail(taskId, "Failed by the simulator");
            return SimResponse.message(HttpResponseStatus.OK, "task " + taskId + " failed");
        }
        return SimResponse.message(HttpResponseStatus.NOT_FOUND, "Not Found: " + SIM_TASKS + rest);
    }

    private SimResponse allTasks(ApiRequest r) {
        List<String> statuses = r.param("status").isEmpty() ? r.param("status[]") : r.param("status");
        return tasks(marathon.apps(), statuses);
    }

    /** {@code statuses}: Marathon's {@code running}/{@code staging} filter; {@code null} or empty for all. */
    private static SimResponse tasks(Iterable<AppState> apps, List<String> statuses) {
        ObjectNode out = MarathonJson.MAPPER.createObjectNode();
        ArrayNode tasks = out.putArray("tasks");
        for (AppState app : apps) {
            for (TaskState t : app.tasks.values()) {
                if (statuses == null || statuses.isEmpty()
                        || statuses.stream().anyMatch(s -> ("TASK_" + s).equalsIgnoreCase(t.state))) {
                    tasks.add(MarathonJson.task(t, app));
                }
            }
        }
        return SimResponse.json(HttpResponseStatus.OK, out);
    }

    private static SimResponse taskResult(TaskState t) {
        ObjectNode out = MarathonJson.MAPPER.createObjectNode();
        out.set("task", MarathonJson.task(t, null));
        return SimResponse.json(HttpResponseStatus.OK, out);
    }

    private static SimResponse deploymentResult(HttpResponseStatus status, String deploymentId) {
        ObjectNode out = MarathonJson.MAPPER.createObjectNode();
        out.put("version", Timestamps.now());
        out.put("deploymentId", deploymentId);
        return SimResponse.json(status, out);
    }

    private static JsonNode parse(String body) throws JsonProcessingException {
        JsonNode node = MarathonJson.MAPPER.readTree(body.isEmpty() ? "{}" : body);
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        return node;
    }

    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            node.properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        }
        return labels;
    }

    private static SimResponse get(HttpMethod m, Supplier<SimResponse> handler) {
        return m.equals(HttpMethod.GET) ? handler.get() : notAllowed();
    }

    private static SimResponse notAllowed() {
        return SimResponse.message(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method Not Allowed");
    }

    private static SimResponse invalid(String detail) {
        ObjectNode out = MarathonJson.message("Object is not valid");
        out.putArray("details").addObject().put("path", "/").putArray("errors").add(detail);
        return SimResponse.json(HttpResponseStatus.valueOf(422), out);
    }
}
