package io.mesoslb.discovery.marathon;

/**
 * One health check's latest verdict on a task.
 *
 * @param alive the check's verdict
 * @param id    the instance id (1.4+) or task id (up to 1.3) Marathon reports the result for; may be null
 */
public record HealthResult(boolean alive, String id) {
}
