package io.mesoslb.discovery.labels;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reading one Marathon label that mesos-lb and marathon-lb both define: ours wins when it is set,
 * else marathon-lb's counts, so that apps move over without being relabelled.
 */
public final class Labels {
    private Labels() {
    }

    /** The value of {@code ours} unless it is missing or blank, else that of {@code theirs} (which may be null). */
    public static String oursElseTheirs(Map<String, String> labels, String ours, String theirs) {
        String value = labels.get(ours);
        return value == null || value.isBlank() ? labels.get(theirs) : value;
    }

    /**
     * A boolean as marathon-lb reads it ({@code config.py} {@code string_to_bool}): true, t, yes or y,
     * in any case; anything else is false. Read any other way, {@code HAPROXY_0_REDIRECT_TO_HTTPS=yes}
     * would silently turn https redirection off after the move.
     */
    public static boolean isTrue(String value) {
        if (value == null) {
            return false;
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        return v.equals("true") || v.equals("t") || v.equals("yes") || v.equals("y");
    }

    /** The app-wide groups, {@code MESOS_LB_GROUP} else marathon-lb's {@code HAPROXY_GROUP}; empty for none. */
    public static Set<String> appGroups(Map<String, String> labels) {
        return groupList(oursElseTheirs(labels, "MESOS_LB_GROUP", "HAPROXY_GROUP"));
    }

    /** A comma-separated group list, blanks dropped, in order; empty for null or blank. */
    static Set<String> groupList(String value) {
        if (value == null || value.isBlank()) {
            return Set.of();
        }
        Set<String> groups = new LinkedHashSet<>();
        for (String g : value.split(",")) {
            if (!g.isBlank()) {
                groups.add(g.strip());
            }
        }
        return groups;
    }
}
