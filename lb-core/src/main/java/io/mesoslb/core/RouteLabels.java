package io.mesoslb.core;

import java.util.Map;

/** Per-app switches read from Marathon labels, ours first, else marathon-lb's, so apps migrate as they are. */
public final class RouteLabels {
    public static final String REDIRECT_TO_HTTPS_LABEL = "MESOS_LB_REDIRECT_TO_HTTPS";
    public static final String HAPROXY_REDIRECT_TO_HTTPS_LABEL = "HAPROXY_0_REDIRECT_TO_HTTPS";

    private RouteLabels() {
    }

    /** Whether plain-http requests to the app are redirected to https. */
    public static boolean httpsOnly(Map<String, String> labels) {
        String value = labels.get(REDIRECT_TO_HTTPS_LABEL);
        if (value == null || value.isBlank()) {
            value = labels.get(HAPROXY_REDIRECT_TO_HTTPS_LABEL);
        }
        return value != null && Boolean.parseBoolean(value.strip());
    }
}
