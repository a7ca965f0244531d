package io.mesoslb.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;

/**
 * Renders apps and tasks in Marathon 1.5+ REST shapes (host networking with {@code portDefinitions}), with field
 * names and order copied from real {@code /v2/apps?embed=apps.tasks} captures.
 */
final class MarathonJson {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String HOST = "127.0.0.1";

    private MarathonJson() {
    }

    static String write(Object node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + node.getClass(), e);
        }
    }

    /** The app definition as stored (what {@code api_post_event} carries): no counts, deployments or tasks. */
    static ObjectNode appDefinition(AppState app) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", app.id);
        n.put("backoffFactor", 1.15);
        n.put("backoffSeconds", 1);
        n.put("cmd", "python3 -m http.server $PORT0");
        n.put("cpus", 0.1);
        n.put("disk", 0);
        n.put("executor", "");
        ArrayNode checks = n.putArray("healthChecks");
        if (app.healthChecks) {
            ObjectNode hc = checks.addObject();
            hc.put("gracePeriodSeconds", 300);
            hc.put("intervalSeconds", 60);
            hc.put("maxConsecutiveFailures", 3);
            hc.put("path", "/");
            hc.put("portIndex", 0);
            hc.put("protocol", "HTTP");
            hc.put("timeoutSeconds", 20);
            hc.put("delaySeconds", 15);
            hc.put("ignoreHttp1xx", false);
        }
        n.put("instances", app.instances);
        labels(n.putObject("labels"), app.labels);
        n.put("maxLaunchDelaySeconds", 3600);
        n.put("mem", 128);
        n.put("gpus", 0);
        if (app.bridge) {
            // Marathon 1.5+ bridge networking: service ports in the container's port mappings.
            n.putArray("networks").addObject().put("mode", "container/bridge");
            ObjectNode container = n.putObject("container");
            container.put("type", "DOCKER");
            container.putObject("docker").put("image", "mesos-lb/sim");
            ArrayNode mappings = container.putArray("portMappings");
            for (int i = 0; i < app.ports.size(); i++) {
                ObjectNode m = mappings.addObject();
                m.put("containerPort", 8080 + i);
                m.put("hostPort", 0);
                m.put("servicePort", app.ports.get(i).servicePort());
                m.put("protocol", "tcp");
                m.put("name", portName(app, i));
            }
        } else {
            n.putArray("networks").addObject().put("mode", "host");
            ArrayNode definitions = n.putArray("portDefinitions");
            for (int i = 0; i < app.ports.size(); i++) {
                ObjectNode port = definitions.addObject();
                port.put("port", app.ports.get(i).servicePort());
                port.put("protocol", "tcp");
                port.put("name", portName(app, i));
                port.putObject("labels");
            }
        }
        n.put("requirePorts", false);
        ObjectNode upgrade = n.putObject("upgradeStrategy");
        upgrade.put("maximumOverCapacity", 1);
        upgrade.put("minimumHealthCapacity", 1);
        n.put("version", app.version);
        ObjectNode versionInfo = n.putObject("versionInfo");
        versionInfo.put("lastScalingAt", app.lastScalingAt);
        versionInfo.put("lastConfigChangeAt", app.lastConfigChangeAt);
        n.put("killSelection", "YOUNGEST_FIRST");
        ObjectNode unreachable = n.putObject("unreachableStrategy");
        unreachable.put("inactiveAfterSeconds", 300);
        unreachable.put("expungeAfterSeconds", 600);
        if (app.posted != null) {
            app.posted.properties().forEach(e -> n.set(e.getKey(), e.getValue().deepCopy()));
        }
        return n;
    }

    /** {@code http} for the first HTTP port (as before), else the protocol and index. */
    private static String portName(AppState app, int i) {
        SimPort.Protocol p = app.ports.get(i).protocol();
        return i == 0 && p == SimPort.Protocol.HTTP ? "http" : p.name().toLowerCase(Locale.ROOT) + i;
    }

    /** The app as {@code /v2/apps} shows it: counts and deployments always, tasks when embedded. */
    static ObjectNode app(AppState app, boolean withTasks) {
        ObjectNode n = appDefinition(app);
        int staged = 0;
        int running = 0;
        int healthy = 0;
        int unhealthy = 0;
        for (TaskState t : app.tasks.values()) {
            if (TaskState.STAGING.equals(t.state)) {
                staged++;
            } else if (t.isRunning()) {
                running++;
            }
            Boolean alive = t.alive();
            if (alive != null) {
                if (alive) {
                    healthy++;
                } else {
                    unhealthy++;
                }
            }
        }
        n.put("tasksStaged", staged);
        n.put("tasksRunning", running);
        n.put("tasksHealthy", healthy);
        n.put("tasksUnhealthy", unhealthy);
        ArrayNode deployments = n.putArray("deployments");
        if (app.deployment != null) {
            deployments.addObject().put("id", app.deployment.id);
        }
        if (withTasks) {
            ArrayNode tasks = n.putArray("tasks");
            app.tasks.values().forEach(t -> tasks.add(task(t, null)));
            if (app.lastTaskFailure != null) {
                n.set("lastTaskFailure", app.lastTaskFailure);
            }
        }
        return n;
    }

    /** A task; {@code servicePortsOf} non-null adds {@code servicePorts} as {@code /v2/tasks} does. */
    static ObjectNode task(TaskState t, AppState servicePortsOf) {
        ObjectNode n = MAPPER.createObjectNode();
        ipAddresses(n);
        n.put("stagedAt", t.stagedAt);
        n.put("state", t.state);
        ArrayNode ports = n.putArray("ports");
        t.hostPorts.forEach(ports::add);
        if (t.startedAt != null) {
            n.put("startedAt", t.startedAt);
        }
        n.put("version", t.version);
        n.put("id", t.id);
        n.put("appId", t.appId);
        n.put("slaveId", t.slaveId);
        n.put("host", HOST);
        if (servicePortsOf != null) {
            ArrayNode servicePorts = n.putArray("servicePorts");
            servicePortsOf.ports.forEach(p -> servicePorts.add(p.servicePort()));
        }
        if (t.health != null) {
            HealthResult h = t.health;
            ObjectNode r = n.putArray("healthCheckResults").addObject();
            r.put("alive", h.alive);
            r.put("consecutiveFailures", h.consecutiveFailures);
            r.put("firstSuccess", h.firstSuccess);
            r.put("lastFailure", h.lastFailure);
            r.put("lastSuccess", h.lastSuccess);
            r.put("lastFailureCause", h.lastFailureCause);
            r.put("instanceId", t.instanceId);
        }
        return n;
    }

    static void ipAddresses(ObjectNode n) {
        ObjectNode ip = n.putArray("ipAddresses").addObject();
        ip.put("ipAddress", HOST);
        ip.put("protocol", "IPv4");
    }

    static ObjectNode message(String message) {
        return MAPPER.createObjectNode().put("message", message);
    }

    private static void labels(ObjectNode target, Map<String, String> labels) {
        labels.forEach(target::put);
    }
}
