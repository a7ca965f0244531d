package io.mesoslb.testkit;

/**
 * A task killed without scaling down and the task Marathon launched in its place, with the
 * {@link System#nanoTime()} at which the replacement's {@code TASK_RUNNING} {@code status_update_event} was handed to
 * the open streams (as {@link EmittedEvent#nanoTime()}). On Linux every JVM's {@code nanoTime} reads the same
 * {@code CLOCK_MONOTONIC}, so a process that asked for the replacement over HTTP can compare it with its own.
 */
public record Replacement(String killedTaskId, String taskId, long runningNanoTime) {
}
