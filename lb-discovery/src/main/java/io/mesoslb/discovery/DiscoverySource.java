package io.mesoslb.discovery;

/**
 * Anything that keeps a {@link io.mesoslb.core.RouteTableHolder} in step with the outside world.
 * Implementations do their work on their own threads and never block the caller's event loops.
 */
public interface DiscoverySource extends AutoCloseable {
    /** Starts discovery in the background; returns at once. */
    void start();

    /** A consistent picture of how discovery is doing, for /health, /routes and metrics. */
    DiscoveryState state();

    /** Stops discovery; the last published table keeps serving. */
    @Override
    void close();
}
