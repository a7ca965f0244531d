package io.mesoslb.discovery;

import java.time.Instant;

/**
 * How discovery is doing.
 *
 * @param source      where routes come from, e.g. the file path or the Marathon URL in use
 * @param synced      true once a first full sync has been published (the proxy may report healthy)
 * @param connected   true while the source is reachable (for Marathon: the event stream is open)
 * @param lastSync    when the last full sync was published, or null
 * @param lastEvent   when the last event (or file change) was applied, or null
 * @param fullSyncs   how many full syncs have completed
 * @param events      how many routing events have been applied
 * @param detail      a short human-readable status or last error
 */
public record DiscoveryState(String source, boolean synced, boolean connected, Instant lastSync, Instant lastEvent,
                             long fullSyncs, long events, String detail) {
}
