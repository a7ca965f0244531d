package io.mesoslb.testkit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Event bodies with the fields (and field order) Marathon's {@code Formats.scala} writes. */
final class EventBodies {
    private EventBodies() {
    }

    static ObjectNode streamAttached(String remoteAddress) {
        return stream("event_stream_attached", remoteAddress);
    }

    static ObjectNode streamDetached(String remoteAddress) {
        return stream("event_stream_detached", remoteAddress);
    }

    private static ObjectNode stream(String type, String remoteAddress) {
        ObjectNode n = MarathonJson.MAPPER.createObjectNode();
        n.put("remoteAddress", remoteAddress);
        return stamp(n, type);
    }

    static ObjectNode statusUpdate(TaskState t, String message) {
        ObjectNode n = MarathonJson.MAPPER.createObjectNode();
        n.put("slaveId", t.slaveId);
        n.put("taskId", t.id);
        n.put("taskStatus", t.state);
        n.put("message", message);
        n.put("appId", t.appId);
        n.put("host", MarathonJson.HOST);
        MarathonJson.ipAddresses(n);
        ArrayNode ports = n.putArray("ports");
        t.hostPorts.forEach(ports::add);
        n.put("version", t.version);
        return stamp(n, "status_update_event");
    }

    static ObjectNode instanceChanged(TaskState t, String condition) {
        ObjectNode n = MarathonJson.MAPPER.createObjectNode();
        n.put("instanceId", t.instanceId);
        n.put("condition", condition);
        n.put("runSpecId", t.appId);
        n.put("agentId", t.slaveId);
        n.put("host", MarathonJson.HOST);
        n.put("runSpecVersion", t.version);
        return stamp(n, "instance_changed_event");
    }

    static ObjectNode healthStatusChanged(TaskState t, boolean alive) {
        ObjectNode n = typed("health_status_changed_event");
        n.put("appId", t.appId);
        n.put("instanceId", t.instanceId);
        n.put("version", t.version);
        n.put("alive", alive);
        return n;
    }

    static ObjectNode instanceHealthChanged(TaskState t, boolean healthy) {
        ObjectNode n = MarathonJson.MAPPER.createObjectNode();
        n.put("instanceId", t.instanceId);
        n.put("runSpecId", t.appId);
        n.put("healthy", healthy);
        n.put("runSpecVersion", t.version);
        return stamp(n, "instance_health_changed_event");
    }

    static ObjectNode apiPost(String uri, AppState app) {
        ObjectNode n = typed("api_post_event");
        n.put("clientIp", MarathonJson.HOST);
        n.put("uri", uri);
        n.set("appDefinition", MarathonJson.appDefinition(app));
        return n;
    }

    static ObjectNode appTerminated(String appId) {
        return typed("app_terminated_event").put("appId", appId);
    }

    static ObjectNode deploymentInfo(Deployment d, String appId) {
        ObjectNode n = MarathonJson.MAPPER.createObjectNode();
        n.set("plan", plan(d, appId));
        n.putObject("currentStep").set("actions", actions(d, appId));
        return stamp(n, "deployment_info");
    }

    static ObjectNode deploymentSuccess(Deployment d, String appId) {
        ObjectNode n = MarathonJson.MAPPER.createObjectNode();
        n.put("id", d.id);
        n.set("plan", plan(d, appId));
        return stamp(n, "deployment_success");
    }

    private static ObjectNode plan(Deployment d, String appId) {
        ObjectNode plan = MarathonJson.MAPPER.createObjectNode();
        plan.put("id", d.id);
        plan.putArray("steps").addObject().set("actions", actions(d, appId));
        plan.put("version", d.version);
        return plan;
    }

    private static ArrayNode actions(Deployment d, String appId) {
        ArrayNode actions = MarathonJson.MAPPER.createArrayNode();
        actions.addObject().put("action", d.action).put("app", appId);
        return actions;
    }

    /** Fields first, then {@code eventType} and {@code timestamp} last, as the newer event classes serialise. */
    private static ObjectNode stamp(ObjectNode n, String type) {
        n.put("eventType", type);
        n.put("timestamp", Timestamps.now());
        return n;
    }

    /** {@code eventType} and {@code timestamp} first, as the older event classes serialise. */
    private static ObjectNode typed(String type) {
        ObjectNode n = MarathonJson.MAPPER.createObjectNode();
        n.put("eventType", type);
        n.put("timestamp", Timestamps.now());
        return n;
    }
}
