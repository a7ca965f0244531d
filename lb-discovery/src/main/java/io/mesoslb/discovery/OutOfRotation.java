package io.mesoslb.discovery;

import java.util.Objects;

/**
 * A task of a routed app port that gets no traffic, and why: what the routing table cannot show,
 * since it holds only the tasks that do. The status page lists these beside the table's backends,
 * so a task failing its health checks shows as down instead of vanishing.
 *
 * @param taskId  the task's id
 * @param address where it would be reached ({@code host:port}), or null when that is not known
 * @param state   one of {@link #DOWN}, {@link #STARTING}, {@link #DRAINING}
 * @param reason  why, in a few words, e.g. {@code failing Marathon health checks}
 */
public record OutOfRotation(String taskId, String address, String state, String reason) {
    /** It should serve and does not: failing health checks, or no address to reach it at. */
    public static final String DOWN = "down";
    /** Not serving yet: staging, starting, or waiting for its first health check result. */
    public static final String STARTING = "starting";
    /** Gets no new requests on its way out: being killed, or replaced in a blue-green deployment. */
    public static final String DRAINING = "draining";

    public OutOfRotation {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
    }
}
