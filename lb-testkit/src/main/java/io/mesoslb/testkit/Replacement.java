package io.mesoslb.testkit;

/**
 * A task killed without scaling down and the task Marathon launched in its place, with when the replacement's
 * {@code TASK_RUNNING} {@code status_update_event} went out. On Linux every JVM's {@code nanoTime} reads the same
 * {@code CLOCK_MONOTONIC}, so a process that asked for the replacement over HTTP can compare them with its own.
 *
 * @param runningNanoTime    {@link System#nanoTime()} just before the event's frame was written to the first open
 *                           stream, on that stream's event loop: when Marathon's event is on its way to a subscriber
 *                           (the hand-over time when no stream was open)
 * @param handedOverNanoTime {@link System#nanoTime()} when the simulator's control thread handed the event to its
 *                           streams (as {@link EmittedEvent#nanoTime()}): the simulator's own hop to the stream's
 *                           event loop lies between the two
 */
public record Replacement(String killedTaskId, String taskId, long runningNanoTime, long handedOverNanoTime) {
}
