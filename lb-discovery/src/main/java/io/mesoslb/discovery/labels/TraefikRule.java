package io.mesoslb.discovery.labels;

import io.mesoslb.core.HostNames;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Traefik 1.7's {@code frontend.rule}: matchers separated by {@code ;}, all of which must match, each
 * {@code Name:value,value} (any value of one matcher may match). Only {@code Host} and {@code PathPrefix}
 * are carried out. Any other matcher narrows or rewrites in a way the table cannot, so the rule is
 * refused rather than read more widely than the user wrote it.
 *
 * @param hosts canonical host names, empty when the rule names none
 * @param paths path prefixes, empty when the rule names none
 */
record TraefikRule(List<String> hosts, List<String> paths) {

    /** Why a rule cannot be honoured; the message names the part of the rule at fault. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /**
     * @param warnings receives values that were dropped (invalid host names, prefixes without {@code /})
     *                 while others of the same matcher remain
     * @throws Refused when the rule cannot be carried out as written
     */
    static TraefikRule parse(String rule, List<String> warnings) throws Refused {
        if (rule == null || rule.isBlank()) {
            throw new Refused("is empty");
        }
        List<String> hosts = null;
        List<String> paths = null;
        for (String part : rule.split(";")) {
            if (part.isBlank()) {
                continue;
            }
            int colon = part.indexOf(':');
            String name = (colon < 0 ? part : part.substring(0, colon)).strip();
            List<String> values = colon < 0 ? List.of() : values(part.substring(colon + 1));
            if (values.isEmpty()) {
                throw new Refused("matcher '" + part.strip() + "' has no value");
            }
            switch (name) {
                case "Host" -> {
                    if (hosts != null) {
                        throw new Refused("has two Host matchers, which Traefik requires both to match");
                    }
                    hosts = hosts(values, warnings);
                }
                case "PathPrefix" -> {
                    if (paths != null) {
                        throw new Refused("has two PathPrefix matchers, which Traefik requires both to match");
                    }
                    paths = prefixes(values, warnings);
                }
                case "PathPrefixStrip" -> throw new Refused("uses PathPrefixStrip: Traefik removes the prefix"
                        + " before the app sees the path, and mesos-lb does not; the app would get paths it was"
                        + " not written for (serve it under the prefix and use PathPrefix)");
                default -> throw new Refused("uses '" + name + "', which mesos-lb cannot match on (Host and"
                        + " PathPrefix only)");
            }
        }
        if (hosts == null && paths == null) {
            throw new Refused("has no matcher");
        }
        return new TraefikRule(hosts == null ? List.of() : hosts, paths == null ? List.of() : paths);
    }

    /** Traefik splits on ',' and trims, dropping empty pieces. */
    private static List<String> values(String list) {
        List<String> out = new ArrayList<>();
        for (String v : list.split(",")) {
            if (!v.isBlank()) {
                out.add(v.strip());
            }
        }
        return out;
    }

    private static List<String> hosts(List<String> values, List<String> warnings) throws Refused {
        Set<String> hosts = new LinkedHashSet<>();
        for (String v : values) {
            String host = HostNames.normalize(v);
            if (host == null) {
                warnings.add("ignoring invalid host '" + v + "' in the rule");
            } else {
                hosts.add(host);
            }
        }
        if (hosts.isEmpty()) {
            // The derived name instead would expose the app under a host nobody asked for.
            throw new Refused("names no valid host");
        }
        return List.copyOf(hosts);
    }

    private static List<String> prefixes(List<String> values, List<String> warnings) throws Refused {
        Set<String> prefixes = new LinkedHashSet<>();
        for (String v : values) {
            if (v.charAt(0) == '/') {
                prefixes.add(v);
            } else {
                // A request path always starts with '/', so Traefik never matched this one either.
                warnings.add("ignoring path prefix '" + v + "' in the rule: it does not start with '/'");
            }
        }
        if (prefixes.isEmpty()) {
            // Every path instead would hand the whole host to an app meant for a corner of it.
            throw new Refused("names no usable path prefix");
        }
        return List.copyOf(prefixes);
    }
}
