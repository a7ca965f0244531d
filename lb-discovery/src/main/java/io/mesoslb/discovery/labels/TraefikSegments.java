package io.mesoslb.discovery.labels;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Traefik 1.7's segments ({@code traefik.<segment>.frontend.rule} and the like), split as its
 * {@code label.ExtractTraefikLabels} splits them: an app with named segments gets one frontend per
 * segment, each taking the app-level {@code traefik.*} labels it does not set itself, and no frontend
 * of its own; an app without them is the one unnamed segment.
 */
final class TraefikSegments {
    /** The segment properties Traefik knows: the port ones right after the name, or any frontend one. */
    private static final Pattern SEGMENT = Pattern.compile(
            "traefik\\.(.+?)\\.(port|portIndex|portName|weight|protocol|backend|frontend\\..+)");

    private TraefikSegments() {
    }

    /** One segment's view of the labels: its own {@code traefik.<name>.<property>} first, else the app's. */
    record Segment(String name, Map<String, String> own, Map<String, String> app) {
        boolean isNamed() {
            return !name.isEmpty();
        }

        /** The value of {@code traefik.<property>} for this segment, or null. */
        String get(String property) {
            String value = own.get(property);
            return value != null ? value : app.get("traefik." + property);
        }

        /** The label {@link #get} read, for messages. */
        String label(String property) {
            return own.containsKey(property) ? "traefik." + name + "." + property : "traefik." + property;
        }
    }

    /** {@code traefik.<property>} or {@code traefik.<segment>.<property>} -> property; null for other labels. */
    static String property(String key) {
        if (!key.startsWith("traefik.")) {
            return null;
        }
        Matcher m = segmentLabel(key);
        return m != null ? m.group(2) : key.substring("traefik.".length());
    }

    /** The match of a segment label (group 1 the segment, 2 the property), or null. */
    private static Matcher segmentLabel(String key) {
        Matcher m = SEGMENT.matcher(key);
        // Traefik's own exception: traefik.frontend.* and traefik.backend.* are never segment labels.
        boolean segment = m.matches() && !key.startsWith("traefik.frontend.") && !key.startsWith("traefik.backend.");
        return segment ? m : null;
    }

    /** The segments of an app's labels, by name (the unnamed one is ""); empty without {@code traefik.*} labels. */
    static Map<String, Segment> of(Map<String, String> labels) {
        Map<String, String> app = new LinkedHashMap<>();
        Map<String, Map<String, String>> named = new TreeMap<>();
        for (Map.Entry<String, String> label : labels.entrySet()) {
            String key = label.getKey();
            if (!key.startsWith("traefik.")) {
                continue;
            }
            Matcher m = segmentLabel(key);
            if (m != null) {
                named.computeIfAbsent(m.group(1), n -> new LinkedHashMap<>()).put(m.group(2), label.getValue());
            } else {
                app.put(key, label.getValue());
            }
        }
        Map<String, Segment> out = new LinkedHashMap<>();
        if (named.isEmpty()) {
            if (!app.isEmpty()) {
                out.put("", new Segment("", Map.of(), app));
            }
            return out;
        }
        for (Map.Entry<String, Map<String, String>> segment : named.entrySet()) {
            out.put(segment.getKey(), new Segment(segment.getKey(), segment.getValue(), app));
        }
        return out;
    }
}
