package io.mesoslb.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The path prefixes an app answers under on its vhosts: {@value #PATH_LABEL}, or else marathon-lb's
 * {@value #HAPROXY_PATH_LABEL} (HAProxy's {@code path_beg}: a plain prefix of the request target),
 * separated by spaces or commas. Without either the app takes every path of its vhosts; with them,
 * several apps can share a vhost, and a request goes to the app of the longest matching prefix, or
 * else to the vhost's app without paths.
 */
public final class PathPrefixes {
    public static final String PATH_LABEL = "MESOS_LB_PATH";
    public static final String HAPROXY_PATH_LABEL = "HAPROXY_0_PATH";

    private static final Logger log = LoggerFactory.getLogger(PathPrefixes.class);

    private PathPrefixes() {
    }

    /** The app's prefixes, in label order without duplicates; empty when it takes every path. */
    public static List<String> of(String appId, Map<String, String> labels) {
        String label = Labels.oursElseTheirs(labels, PATH_LABEL, HAPROXY_PATH_LABEL);
        if (label == null || label.isBlank()) {
            return List.of();
        }
        Set<String> prefixes = new LinkedHashSet<>();
        for (String part : label.split("[\\s,]+")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.charAt(0) != '/') {
                log.warn("app {}: path prefix '{}' does not start with '/'; ignored", appId, part);
                continue;
            }
            prefixes.add(part);
        }
        return new ArrayList<>(prefixes);
    }
}
