package io.mesoslb.core;

/** A nanosecond time source, injectable so that time-based logic is tested without sleeping. */
@FunctionalInterface
public interface Ticker {
    Ticker SYSTEM = System::nanoTime;

    long nanos();
}
