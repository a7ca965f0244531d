package io.mesoslb.discovery;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * How discovery is doing.
 *
 * @param source      where routes come from, e.g. the file path or the Marathon URL in use
 * @param synced      true once a first full sync has been published (the proxy may report healthy)
 * @param connected   true while the source is reachable (for Marathon: the event stream is open)
 * @param lastSync    when the last full sync was published, or null
 * @param lastEvent   when the last event (or file change) was applied, or null
 * @param lastContact when the source last showed it is alive and current, or null: for Marathon any
 *                    bytes on the event stream (its 10 s heartbeats included) or a full sync; for a
 *                    file, the last check that found it readable. A quiet cluster sends no events
 *                    for hours, so events alone cannot tell a stale balancer from a calm one.
 * @param fullSyncs   how many full syncs have completed
 * @param events      how many routing events have been applied
 * @param detail      a short human-readable status or last error
 * @param labelProblems for each app whose labels are not (all) carried out, what was said of them in the
 *                    last publication: ports kept off the table and labels not honoured
 * @param outOfRotation for each route (by the id the routing table knows it by), its tasks that get no
 *                    traffic and why, as of the last reading of its app
 */
public record DiscoveryState(String source, boolean synced, boolean connected, Instant lastSync, Instant lastEvent,
                             Instant lastContact, long fullSyncs, long events, String detail,
                             Map<String, List<String>> labelProblems, Map<String, List<OutOfRotation>> outOfRotation) {
    public DiscoveryState {
        labelProblems = labelProblems == null ? Map.of() : labelProblems;
        outOfRotation = outOfRotation == null ? Map.of() : outOfRotation;
    }

    public DiscoveryState(String source, boolean synced, boolean connected, Instant lastSync, Instant lastEvent,
                          Instant lastContact, long fullSyncs, long events, String detail,
                          Map<String, List<String>> labelProblems) {
        this(source, synced, connected, lastSync, lastEvent, lastContact, fullSyncs, events, detail, labelProblems,
                Map.of());
    }

    public DiscoveryState(String source, boolean synced, boolean connected, Instant lastSync, Instant lastEvent,
                          Instant lastContact, long fullSyncs, long events, String detail) {
        this(source, synced, connected, lastSync, lastEvent, lastContact, fullSyncs, events, detail, Map.of());
    }

    /** A state whose last contact is its last sync or event, whichever is newer. */
    public DiscoveryState(String source, boolean synced, boolean connected, Instant lastSync, Instant lastEvent,
                          long fullSyncs, long events, String detail) {
        this(source, synced, connected, lastSync, lastEvent, newer(lastSync, lastEvent), fullSyncs, events, detail);
    }

    /** This state, heard from at {@code when}. */
    public DiscoveryState withContact(Instant when) {
        return new DiscoveryState(source, synced, connected, lastSync, lastEvent, when, fullSyncs, events, detail,
                labelProblems, outOfRotation);
    }

    /** This state, with what the last publication said of apps' labels. */
    public DiscoveryState withLabelProblems(Map<String, List<String>> problems) {
        return new DiscoveryState(source, synced, connected, lastSync, lastEvent, lastContact, fullSyncs, events, detail,
                problems, outOfRotation);
    }

    /** This state, with the tasks the last readings kept out of rotation, by route id. */
    public DiscoveryState withOutOfRotation(Map<String, List<OutOfRotation>> tasks) {
        return new DiscoveryState(source, synced, connected, lastSync, lastEvent, lastContact, fullSyncs, events, detail,
                labelProblems, tasks);
    }

    private static Instant newer(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }
}
