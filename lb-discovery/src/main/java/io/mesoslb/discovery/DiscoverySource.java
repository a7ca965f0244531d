package io.mesoslb.discovery;

import java.util.concurrent.CompletableFuture;

/**
 * Anything that keeps a {@link io.mesoslb.core.RouteTableHolder} in step with the outside world.
 * Implementations do their work on their own threads and never block the caller's event loops.
 */
public interface DiscoverySource extends AutoCloseable {
    /** Starts discovery in the background; returns at once. */
    void start();

    /**
     * Begins, in the background, what needs nothing of the server: a source that reads a whole snapshot
     * at its start reads, parses and routes it here, while the server starts, and publishes it only at
     * {@link #start()}, when the table's listeners are there to hear of it. Optional; none by default.
     *
     * @return done when that work is
     */
    default CompletableFuture<Void> prepare() {
        return CompletableFuture.completedFuture(null);
    }

    /** A consistent picture of how discovery is doing, for /health, /routes and metrics. */
    DiscoveryState state();

    /** Stops discovery; the last published table keeps serving. */
    @Override
    void close();
}
