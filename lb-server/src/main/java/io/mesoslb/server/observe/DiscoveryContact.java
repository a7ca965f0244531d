package io.mesoslb.server.observe;

import io.mesoslb.discovery.DiscoveryState;
import java.time.Instant;

/** When discovery last heard from its source (see {@link DiscoveryState#lastContact()}). */
public final class DiscoveryContact {
    private DiscoveryContact() {
    }

    /** @return the instant, or null when discovery has no contact yet (or no state) */
    public static Instant last(DiscoveryState state) {
        return state == null ? null : state.lastContact();
    }
}
