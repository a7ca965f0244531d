package io.mesoslb.server.metrics;

import io.mesoslb.discovery.DiscoveryState;
import java.time.Instant;

/** When discovery last heard from its source: the newer of its last full sync and its last event. */
public final class DiscoveryContact {
    private DiscoveryContact() {
    }

    /** @return the instant, or null when discovery has no contact yet (or no state) */
    public static Instant last(DiscoveryState state) {
        if (state == null) {
            return null;
        }
        Instant sync = state.lastSync();
        Instant event = state.lastEvent();
        if (sync == null) {
            return event;
        }
        return event == null || sync.isAfter(event) ? sync : event;
    }
}
