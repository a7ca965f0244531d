package io.mesoslb.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which host names an app answers to.
 *
 * <p>By default the app id, read right to left, becomes a subdomain of the configured domain:
 * {@code /www} is {@code www.<domain>} and {@code /team/api} is {@code api.team.<domain>}. The
 * {@value #VHOST_LABEL} label (a comma-separated list) replaces that name; marathon-lb's
 * {@value #HAPROXY_VHOST_LABEL} is honoured too so apps migrate without relabelling.
 */
public final class VhostNaming {
    public static final String VHOST_LABEL = "MESOS_LB_VHOST";
    public static final String HAPROXY_VHOST_LABEL = "HAPROXY_0_VHOST";

    private static final Logger log = LoggerFactory.getLogger(VhostNaming.class);

    private final String domain;

    /** @param domain the base domain, e.g. {@code example.com}; null or blank derives no names */
    public VhostNaming(String domain) {
        String d = domain == null ? null : HostNames.normalize(domain.strip());
        this.domain = d == null || d.isEmpty() ? null : d;
    }

    public String domain() {
        return domain;
    }

    /** The canonical vhosts of an app, in declaration order, without duplicates. */
    public List<String> vhostsFor(String appId, Map<String, String> labels) {
        String label = Labels.oursElseTheirs(labels, VHOST_LABEL, HAPROXY_VHOST_LABEL);
        if (label != null && !label.isBlank()) {
            return parseList(appId, label);
        }
        String derived = derive(appId);
        return derived == null ? List.of() : List.of(derived);
    }

    /** {@code /team/api} -> {@code api.team.<domain>}; null when no domain is set or the id is empty. */
    public String derive(String appId) {
        if (domain == null) {
            return null;
        }
        String[] segments = appId.split("/");
        StringBuilder sb = new StringBuilder(appId.length() + domain.length() + 1);
        for (int i = segments.length - 1; i >= 0; i--) {
            if (!segments[i].isEmpty()) {
                sb.append(segments[i]).append('.');
            }
        }
        if (sb.length() == 0) {
            return null;
        }
        sb.append(domain);
        String host = HostNames.normalize(sb);
        if (host == null) {
            log.warn("app {} does not make a valid host name under {}; give it a {} label", appId, domain, VHOST_LABEL);
        }
        return host;
    }

    private static List<String> parseList(String appId, String label) {
        Set<String> hosts = new LinkedHashSet<>();
        for (String part : label.split(",")) {
            String trimmed = part.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            String host = HostNames.normalize(trimmed);
            if (host == null) {
                log.warn("app {}: ignoring invalid vhost '{}'", appId, trimmed);
            } else {
                hosts.add(host);
            }
        }
        return new ArrayList<>(hosts);
    }
}
