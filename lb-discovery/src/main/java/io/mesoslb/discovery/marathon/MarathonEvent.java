package io.mesoslb.discovery.marathon;

import java.util.List;
import java.util.Set;

/** The part of a Marathon event that matters for routing. */
sealed interface MarathonEvent {

    /** {@code status_update_event}: a task changed state; carries its address. */
    record StatusUpdate(String appId, String taskId, String status, String host, List<Integer> ports,
                        List<String> ipAddresses) implements MarathonEvent {
    }

    /** {@code instance_changed_event}: an instance's condition changed (1.4+), e.g. Running or Killing. */
    record InstanceChanged(String appId, String instanceId, String condition) implements MarathonEvent {
    }

    /**
     * {@code instance_health_changed_event} (whole instance) or {@code health_status_changed_event}
     * (one Marathon-level check).
     *
     * @param id        the instance id (1.4+) or task id (up to 1.3)
     * @param healthy   the verdict, or null when Marathon does not know
     * @param allChecks whether the verdict covers all of the instance's checks rather than one of them
     */
    record HealthChanged(String appId, String id, Boolean healthy, boolean allChecks) implements MarathonEvent {
    }

    /** {@code app_terminated_event}: the app is gone. */
    record AppTerminated(String appId) implements MarathonEvent {
    }

    /**
     * The definition or tasks of these apps changed in ways an event does not describe
     * ({@code api_post_event}, {@code deployment_*}); empty when the apps are not named.
     */
    record AppsChanged(Set<String> appIds) implements MarathonEvent {
    }

    /** Anything else, e.g. {@code event_stream_attached}. */
    record Ignored(String type) implements MarathonEvent {
    }
}
