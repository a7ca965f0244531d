package io.mesoslb.core;

import java.util.Map;

/**
 * Per-app switches from Marathon labels, ours first, else marathon-lb's, so apps migrate as they
 * are.
 *
 * @param httpsOnly plain-http requests are redirected to https ({@value #REDIRECT_TO_HTTPS_LABEL},
 *                  {@value #HAPROXY_REDIRECT_TO_HTTPS_LABEL})
 * @param sticky    a client that was served by a backend keeps it, by cookie, while it is routed and
 *                  not ejected ({@value #STICKY_LABEL}, {@value #HAPROXY_STICKY_LABEL})
 */
public record RouteOptions(boolean httpsOnly, boolean sticky) {
    public static final String REDIRECT_TO_HTTPS_LABEL = "MESOS_LB_REDIRECT_TO_HTTPS";
    public static final String HAPROXY_REDIRECT_TO_HTTPS_LABEL = "HAPROXY_0_REDIRECT_TO_HTTPS";
    public static final String STICKY_LABEL = "MESOS_LB_STICKY";
    public static final String HAPROXY_STICKY_LABEL = "HAPROXY_0_STICKY";
    public static final RouteOptions NONE = new RouteOptions(false, false);

    public static RouteOptions fromLabels(Map<String, String> labels) {
        boolean https = flag(labels, REDIRECT_TO_HTTPS_LABEL, HAPROXY_REDIRECT_TO_HTTPS_LABEL);
        boolean sticky = flag(labels, STICKY_LABEL, HAPROXY_STICKY_LABEL);
        return https || sticky ? new RouteOptions(https, sticky) : NONE;
    }

    private static boolean flag(Map<String, String> labels, String ours, String theirs) {
        String value = Labels.oursElseTheirs(labels, ours, theirs);
        return value != null && Boolean.parseBoolean(value.strip());
    }
}
