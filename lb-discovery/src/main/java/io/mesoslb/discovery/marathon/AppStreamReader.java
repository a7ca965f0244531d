package io.mesoslb.discovery.marathon;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One Marathon app read from the parser's tokens, without a tree of it. A snapshot is mostly tasks (a big
 * cluster's 10 per app, each with fields discovery never reads): the tasks and the labels are read token by
 * token, and every field nobody reads is skipped. The few small fields whose many shapes {@link MarathonJson}
 * sorts out (ports, networks, container, health checks, ...) are read as small trees and handed to it, so the two
 * readers share those rules. What each field means follows the tree reader exactly, odd shapes included (a
 * number where text belongs, an object where an array does, a key given twice: the last wins);
 * {@code MarathonJsonStreamingTest} holds the two to equal apps on every real payload and on random ones.
 */
final class AppStreamReader {
    /** App fields {@link MarathonJson#app(JsonNode, Map, java.util.function.Function)} reads. */
    private static final Set<String> SMALL_FIELDS = Set.of("id", "portDefinitions", "ports", "requirePorts", "instances",
            "healthChecks", "networks", "container", "ipAddress");

    private AppStreamReader() {
    }

    /**
     * The app whose first token the parser is at, or null when it is no app (not an object, or without an id);
     * the parser is left at its last token.
     */
    static MarathonApp app(JsonParser p) throws IOException {
        ObjectNode small = MarathonJson.MAPPER.createObjectNode();
        Map<String, String> labels = Map.of();
        List<TaskFields> tasks = List.of();
        if (p.currentToken() == JsonToken.START_OBJECT) {
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("tasks")) {
                    tasks = tasks(p, value);
                } else if (name.equals("labels")) {
                    labels = labels(p, value);
                } else if (SMALL_FIELDS.contains(name)) {
                    small.set(name, MarathonJson.MAPPER.readTree(p));
                } else {
                    p.skipChildren();
                }
            }
        } else {
            p.skipChildren();
        }
        List<TaskFields> read = tasks;
        return MarathonJson.app(small, labels, id -> {
            List<MarathonTask> out = new ArrayList<>(read.size());
            for (TaskFields f : read) {
                MarathonTask task = f.task(id);
                if (task != null) {
                    out.add(task);
                }
            }
            return out;
        });
    }

    /** Reads one element (the parser at its first token), leaving the parser at its last token. */
    @FunctionalInterface
    private interface Element {
        void read(JsonParser p, JsonToken first) throws IOException;
    }

    /** Each element of an array, or each value of an object, as the tree's iteration gives them; none of a scalar. */
    private static void forEachElement(JsonParser p, JsonToken container, Element each) throws IOException {
        if (container == JsonToken.START_ARRAY) {
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                each.read(p, t);
            }
        } else if (container == JsonToken.START_OBJECT) {
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                each.read(p, p.nextToken());
            }
        }
    }

    private static List<TaskFields> tasks(JsonParser p, JsonToken value) throws IOException {
        List<TaskFields> tasks = new ArrayList<>();
        forEachElement(p, value, (q, first) -> {
            if (first == JsonToken.START_OBJECT) {
                tasks.add(TaskFields.read(q));
            } else {
                q.skipChildren();
            }
        });
        return tasks;
    }

    /** An object's fields whose values are text, numbers or booleans, as text (the tree's text of a number). */
    private static Map<String, String> labels(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return Map.of();
        }
        Map<String, String> labels = new HashMap<>();
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.VALUE_STRING) {
                labels.put(name, p.getText());
            } else if (v.isScalarValue() && v != JsonToken.VALUE_NULL) {
                labels.put(name, MarathonJson.MAPPER.<JsonNode>readTree(p).asText());
            } else {
                p.skipChildren();
                labels.remove(name);
            }
        }
        return labels;
    }

    /** The text of a string value, null for any other (skipped). */
    private static String text(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }

    /** As {@link MarathonJson#ints}: each element's int value where it has one (in range), else 0. */
    private static List<Integer> ints(JsonParser p, JsonToken value) throws IOException {
        List<Integer> ints = new ArrayList<>(2);
        forEachElement(p, value, (q, t) -> {
            int v = 0;
            if (t == JsonToken.VALUE_NUMBER_INT) {
                // A number beyond int parses as a long or a big integer, and the tree converts neither.
                v = q.getNumberType() == JsonParser.NumberType.INT ? q.getIntValue() : 0;
            } else if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                double d = q.getDoubleValue();
                v = d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE ? (int) d : 0;
            } else {
                q.skipChildren();
            }
            ints.add(v);
        });
        return ints;
    }

    /** As {@link MarathonJson#ipAddresses}: each object element's non-blank {@code ipAddress}, stripped. */
    private static List<String> ipAddresses(JsonParser p, JsonToken value) throws IOException {
        List<String> ips = new ArrayList<>(1);
        forEachElement(p, value, (q, first) -> {
            if (first != JsonToken.START_OBJECT) {
                q.skipChildren();
                return;
            }
            String address = null;
            for (JsonToken t = q.nextToken(); t == JsonToken.FIELD_NAME; t = q.nextToken()) {
                String name = q.currentName();
                JsonToken v = q.nextToken();
                if (name.equals("ipAddress")) {
                    address = text(q, v);
                } else {
                    q.skipChildren();
                }
            }
            if (address != null && !address.isBlank()) {
                ips.add(address.strip());
            }
        });
        return ips;
    }

    /** What a task object says, until the app's id is known (a task without its own {@code appId} takes it). */
    private static final class TaskFields {
        private String id;
        private String appId;
        private String host;
        private String state;
        private boolean staged;
        private boolean started;
        private List<Integer> ports = List.of();
        private List<String> ipAddresses = List.of();
        private List<HealthResult> healthResults;

        /** The parser at the task's START_OBJECT; left at its END_OBJECT. */
        static TaskFields read(JsonParser p) throws IOException {
            TaskFields f = new TaskFields();
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "id" -> f.id = text(p, v);
                    case "appId" -> f.appId = text(p, v);
                    case "host" -> f.host = text(p, v);
                    case "state" -> f.state = text(p, v);
                    case "stagedAt" -> f.staged = text(p, v) != null;
                    case "startedAt" -> f.started = text(p, v) != null;
                    case "ports" -> f.ports = ints(p, v);
                    case "ipAddresses" -> f.ipAddresses = ipAddresses(p, v);
                    // One result per health check: small, and its shapes are the tree reader's.
                    case "healthCheckResults" -> f.healthResults = MarathonJson.healthResults(
                            MarathonJson.MAPPER.readTree(p));
                    default -> p.skipChildren();
                }
            }
            return f;
        }

        MarathonTask task(String appIdOfApp) {
            return MarathonJson.task(id, appId, appIdOfApp, host, ports, ipAddresses,
                    MarathonJson.state(state, staged, started), healthResults);
        }
    }
}
