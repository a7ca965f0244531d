package io.mesoslb.testkit;

/**
 * One event as the simulator emitted it, with the {@link System#nanoTime()} at which it was handed to the open
 * streams, so benchmarks can measure how long a consumer takes to react.
 */
public record EmittedEvent(String eventType, String json, long nanoTime) {
}
