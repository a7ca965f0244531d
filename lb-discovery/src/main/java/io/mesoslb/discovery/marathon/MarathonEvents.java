package io.mesoslb.discovery.marathon;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Turns SSE events from {@code /v2/events} into {@link MarathonEvent}s. */
final class MarathonEvents {
    /** The event types the discovery subscribes to (REFERENCE.md section 8). */
    static final List<String> ROUTING_TYPES = List.of("status_update_event", "instance_changed_event",
            "instance_health_changed_event", "health_status_changed_event", "api_post_event", "app_terminated_event",
            "deployment_success", "deployment_failed");

    /** A routing event whose body could not be read: the state may have missed a change. */
    static final class MalformedEventException extends IOException {
        MalformedEventException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private MarathonEvents() {
    }

    /**
     * @throws MalformedEventException when a routing event (or one whose type cannot be told) has a body
     *                                 that is not JSON or lacks what identifies its app or task
     */
    static MarathonEvent parse(SseEvent sse) throws MalformedEventException {
        // Before Marathon 0.10 there was no "event:" line, so the type is only in the body.
        boolean named = !sse.type().equals("message");
        if (named && !ROUTING_TYPES.contains(sse.type())) {
            return new MarathonEvent.Ignored(sse.type());
        }
        JsonNode body;
        try {
            body = MarathonJson.MAPPER.readTree(sse.data());
        } catch (IOException e) {
            throw new MalformedEventException("unreadable " + sse.type() + ": " + abbreviate(sse.data()), e);
        }
        if (body == null || !body.isObject()) {
            throw new MalformedEventException("not a JSON object in " + sse.type() + ": " + abbreviate(sse.data()), null);
        }
        String type = named ? sse.type() : String.valueOf(MarathonJson.text(body, "eventType"));
        try {
            return switch (type) {
                case "status_update_event" -> new MarathonEvent.StatusUpdate(app(body, "appId"),
                        required(body, "taskId"), required(body, "taskStatus"), MarathonJson.text(body, "host"),
                        MarathonJson.ints(body.path("ports"), null), MarathonJson.ipAddresses(body.path("ipAddresses")));
                case "instance_changed_event" -> new MarathonEvent.InstanceChanged(app(body, "runSpecId"),
                        required(body, "instanceId"), required(body, "condition"));
                case "instance_health_changed_event" -> new MarathonEvent.HealthChanged(app(body, "runSpecId"),
                        required(body, "instanceId"), bool(body.path("healthy")), true);
                case "health_status_changed_event" -> new MarathonEvent.HealthChanged(app(body, "appId"),
                        instanceOrTask(body), bool(body.path("alive")), false);
                case "app_terminated_event" -> new MarathonEvent.AppTerminated(app(body, "appId"));
                case "api_post_event" -> appsChanged(body.path("appDefinition").path("id"));
                case "deployment_success", "deployment_failed" -> deployedApps(body);
                default -> new MarathonEvent.Ignored(type);
            };
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException(e.getMessage() + " in " + type + ": " + abbreviate(sse.data()), e);
        }
    }

    private static MarathonEvent appsChanged(JsonNode id) {
        return new MarathonEvent.AppsChanged(id.isTextual() && !id.asText().isBlank()
                ? Set.of(MarathonJson.absoluteId(id.asText())) : Set.of());
    }

    /** The apps a deployment touched, from the light plan (or the older step shape); empty if none are named. */
    private static MarathonEvent deployedApps(JsonNode body) {
        Set<String> apps = new LinkedHashSet<>();
        JsonNode steps = body.path("plan").path("steps");
        for (JsonNode step : steps) {
            JsonNode actions = step.has("actions") ? step.get("actions") : step;
            if (actions.isArray()) {
                actions.forEach(action -> addApp(action, apps));
            } else {
                addApp(actions, apps);
            }
        }
        if (apps.isEmpty() && steps.isArray() && !steps.isEmpty()) {
            return new MarathonEvent.Ignored("deployment of pods only");
        }
        return new MarathonEvent.AppsChanged(apps);
    }

    private static void addApp(JsonNode action, Set<String> apps) {
        String app = MarathonJson.text(action, "app");
        if (app != null && !app.isBlank()) {
            apps.add(MarathonJson.absoluteId(app));
        }
    }

    private static String instanceOrTask(JsonNode body) {
        String id = MarathonJson.text(body, "instanceId");
        return id != null ? id : required(body, "taskId");
    }

    private static String app(JsonNode body, String field) {
        return MarathonJson.absoluteId(required(body, field));
    }

    private static String required(JsonNode body, String field) {
        String value = MarathonJson.text(body, field);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("no " + field);
        }
        return value;
    }

    private static Boolean bool(JsonNode node) {
        return node.isBoolean() ? node.asBoolean() : null;
    }

    private static String abbreviate(String data) {
        return data.length() <= 200 ? data : data.substring(0, 200) + "...";
    }
}
