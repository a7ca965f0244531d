package io.mesoslb.core;

import java.util.Map;

/**
 * Reading a Marathon label that mesos-lb and marathon-lb both define: ours wins when it is set,
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
}
