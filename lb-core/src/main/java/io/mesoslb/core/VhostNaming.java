package io.mesoslb.core;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host name an app answers to when discovery gives it none: the app id, read right to left,
 * as a subdomain of the configured domain: {@code /www} is {@code www.<domain>} and
 * {@code /team/api} is {@code api.team.<domain>}.
 */
public final class VhostNaming {
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

    /** The spec's hosts, or else the one derived from the app id (none without a domain). */
    public List<String> vhostsFor(String appId, RouteSpec spec) {
        if (!spec.vhosts().isEmpty()) {
            return spec.vhosts();
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
            log.warn("app {} does not make a valid host name under {}; give it a vhost", appId, domain);
        }
        return host;
    }
}
