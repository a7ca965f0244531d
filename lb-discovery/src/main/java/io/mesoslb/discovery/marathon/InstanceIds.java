package io.mesoslb.discovery.marathon;

/**
 * Relates Marathon instance ids (health and instance events, 1.4+) to task ids (status events and
 * the REST API). Formats, by Marathon version:
 * <ul>
 *   <li>up to 1.3 there are no instances; events carry the task id itself;</li>
 *   <li>tasks launched before 1.4 keep {@code app.UUID}, whose instance is {@code app.marathon-UUID};</li>
 *   <li>later tasks are {@code app.instance-UUID._app[.N]} (pods: {@code app.instance-UUID.container}),
 *       whose instance is the {@code app.instance-UUID} prefix.</li>
 * </ul>
 */
final class InstanceIds {
    private static final String LEGACY = ".marathon-";

    private InstanceIds() {
    }

    static boolean sameInstance(String taskId, String instanceId) {
        if (taskId.equals(instanceId)) {
            return true;
        }
        if (taskId.length() > instanceId.length() && taskId.startsWith(instanceId)
                && taskId.charAt(instanceId.length()) == '.') {
            return true;
        }
        int legacy = instanceId.lastIndexOf(LEGACY);
        return legacy >= 0 && taskId.length() == instanceId.length() - LEGACY.length() + 1
                && taskId.regionMatches(0, instanceId, 0, legacy) && taskId.charAt(legacy) == '.'
                && taskId.regionMatches(legacy + 1, instanceId, legacy + LEGACY.length(),
                instanceId.length() - legacy - LEGACY.length());
    }
}
