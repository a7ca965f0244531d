package io.mesoslb.core;

/**
 * Told once per ejection and once per return, for logs and metrics. Called on whichever thread
 * reported the request outcome (usually an event loop) or ran {@link OutlierDetector#sweep}, so
 * it must be quick and must not block.
 *
 * <p>A backend that leaves the routing table while ejected gets no return event; gauges of
 * ejected backends should count from the live table ({@link Route#ejectedCount()}).
 */
@FunctionalInterface
public interface EjectionListener {
    EjectionListener NONE = event -> { };

    void onEjectionEvent(EjectionEvent event);
}
