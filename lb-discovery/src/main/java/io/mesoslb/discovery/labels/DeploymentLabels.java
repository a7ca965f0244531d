package io.mesoslb.discovery.labels;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * What zdd.py (marathon-lb's blue-green deployer) writes on the two colours of an app: the
 * deployment group both belong to, when each was deployed, and how many instances the deployment
 * aims at. Apps of one group serve as one route while both exist.
 *
 * @param group           the group, {@code /}-prefixed as marathon-lb makes it: the merged route's id
 * @param startedAt       when this colour was deployed; {@link LocalDateTime#MIN} when unknown, so
 *                        an app not deployed by zdd counts as the older one
 * @param targetInstances how many instances the deployment ends with; 1 when unset
 */
public record DeploymentLabels(String group, LocalDateTime startedAt, int targetInstances) {
    static final String GROUP = "HAPROXY_DEPLOYMENT_GROUP";
    static final String STARTED_AT = "HAPROXY_DEPLOYMENT_STARTED_AT";
    static final String TARGET_INSTANCES = "HAPROXY_DEPLOYMENT_TARGET_INSTANCES";

    /** The app's deployment labels, or null when it belongs to no deployment group. */
    public static DeploymentLabels of(Map<String, String> labels) {
        String group = labels.get(GROUP);
        if (group == null || group.isBlank()) {
            return null;
        }
        group = group.strip();
        return new DeploymentLabels(group.charAt(0) == '/' ? group : "/" + group, startedAt(labels.get(STARTED_AT)),
                target(labels.get(TARGET_INSTANCES)));
    }

    /** zdd.py writes Python's naive {@code isoformat()}; an offset, if any, is taken into account. */
    private static LocalDateTime startedAt(String value) {
        if (value == null || value.isBlank()) {
            return LocalDateTime.MIN;
        }
        String v = value.strip();
        try {
            return LocalDateTime.parse(v);
        } catch (DateTimeParseException naiveFailed) {
            try {
                return OffsetDateTime.parse(v).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
            } catch (DateTimeParseException e) {
                return LocalDateTime.MIN;
            }
        }
    }

    private static int target(String value) {
        try {
            return value == null ? 1 : Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}
