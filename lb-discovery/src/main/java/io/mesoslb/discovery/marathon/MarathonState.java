package io.mesoslb.discovery.marathon;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What discovery believes Marathon's apps and tasks are: the last snapshot with the events since
 * applied to it. Pure and single-threaded; it never does I/O but says, through the {@link Outcome}
 * of each event, when the caller must re-fetch an app or the whole snapshot.
 *
 * <p>Task ids that were seen killing or terminal are remembered for a while ("tombstones"):
 * Marathon does not promise event order, and a task id never returns from those states, so a late
 * {@code TASK_RUNNING} or a stale snapshot must not bring such a task back.
 */
final class MarathonState {
    /** Instance conditions (1.4+) after which an instance never serves again. */
    private static final Set<String> GONE_CONDITIONS = Set.of("Killing", "Killed", "Failed", "Finished", "Error",
            "Gone", "Dropped", "Unknown");

    enum Kind { UNCHANGED, CHANGED, REFETCH, RESYNC }

    /** What the caller must do after an event. */
    record Outcome(Kind kind, Set<String> appIds) {
        static final Outcome UNCHANGED = new Outcome(Kind.UNCHANGED, Set.of());
        static final Outcome CHANGED = new Outcome(Kind.CHANGED, Set.of());
        static final Outcome RESYNC = new Outcome(Kind.RESYNC, Set.of());

        static Outcome refetch(Set<String> appIds) {
            return new Outcome(Kind.REFETCH, Set.copyOf(appIds));
        }

        static Outcome changedIf(boolean changed) {
            return changed ? CHANGED : UNCHANGED;
        }
    }

    private final Map<String, MarathonApp> apps = new HashMap<>();
    /** Ids of the apps that changed since {@link #drainChanged()} last asked. */
    private final Set<String> changed = new LinkedHashSet<>();
    private final Cache<String, Boolean> tombstones;

    MarathonState() {
        this(Duration.ofMinutes(30), 100_000);
    }

    MarathonState(Duration tombstoneTtl, long tombstoneCapacity) {
        this.tombstones = Caffeine.newBuilder().expireAfterWrite(tombstoneTtl).maximumSize(tombstoneCapacity)
                .executor(Runnable::run).build();
    }

    Collection<MarathonApp> apps() {
        return List.copyOf(apps.values());
    }

    MarathonApp app(String appId) {
        return apps.get(appId);
    }

    /** Replaces everything with a full snapshot; only the apps that differ count as changed. */
    void replaceAll(Collection<MarathonApp> snapshot) {
        Set<String> kept = new HashSet<>(snapshot.size() * 2);
        for (MarathonApp app : snapshot) {
            kept.add(app.id());
        }
        for (var it = apps.keySet().iterator(); it.hasNext(); ) {
            String id = it.next();
            if (!kept.contains(id)) {
                it.remove();
                changed.add(id);
            }
        }
        snapshot.forEach(this::replace);
    }

    /** Replaces one app with a fresh copy from Marathon. */
    void replace(MarathonApp app) {
        List<MarathonTask> tasks = app.tasks();
        for (MarathonTask t : tasks) {
            if (buried(t.id())) {
                tasks = tasks.stream().filter(task -> !buried(task.id())).toList();
                break;
            }
        }
        MarathonApp fresh = tasks == app.tasks() ? app : app.withTasks(tasks);
        MarathonApp before = apps.put(app.id(), fresh);
        if (!fresh.equals(before)) {
            changed.add(app.id());
        }
    }

    boolean remove(String appId) {
        MarathonApp removed = apps.remove(appId);
        if (removed != null) {
            removed.tasks().forEach(t -> bury(t.id()));
            changed.add(appId);
        }
        return removed != null;
    }

    /** The ids of the apps that changed (or went) since the last call, which forgets them. */
    Set<String> drainChanged() {
        if (changed.isEmpty()) {
            return Set.of();
        }
        Set<String> out = new LinkedHashSet<>(changed);
        changed.clear();
        return out;
    }

    Outcome apply(MarathonEvent event) {
        if (event instanceof MarathonEvent.StatusUpdate e) {
            return status(e);
        } else if (event instanceof MarathonEvent.InstanceChanged e) {
            return instance(e);
        } else if (event instanceof MarathonEvent.HealthChanged e) {
            return health(e);
        } else if (event instanceof MarathonEvent.AppTerminated e) {
            return Outcome.changedIf(remove(e.appId()));
        } else if (event instanceof MarathonEvent.AppsChanged e) {
            return e.appIds().isEmpty() ? Outcome.RESYNC : Outcome.refetch(e.appIds());
        }
        return Outcome.UNCHANGED;
    }

    private Outcome status(MarathonEvent.StatusUpdate e) {
        MarathonApp app = apps.get(e.appId());
        if (TaskStates.gone(e.status())) {
            bury(e.taskId());
            return Outcome.changedIf(app != null && update(app, app.tasks().stream()
                    .filter(t -> !t.id().equals(e.taskId())).toList()));
        }
        if (buried(e.taskId())) {
            return Outcome.UNCHANGED;
        }
        if (app == null) {
            // A new app (e.g. made through /v2/groups, which sends no api_post_event): learn its definition.
            return TaskStates.routable(e.status()) ? Outcome.refetch(Set.of(e.appId())) : Outcome.UNCHANGED;
        }
        List<MarathonTask> tasks = new ArrayList<>(app.tasks());
        int index = indexOf(tasks, e.taskId());
        MarathonTask old = index < 0 ? null : tasks.get(index);
        MarathonTask updated = new MarathonTask(e.taskId(), e.appId(),
                e.host() != null && !e.host().isEmpty() ? e.host() : old != null ? old.host() : null,
                !e.ports().isEmpty() || old == null ? e.ports() : old.ports(),
                !e.ipAddresses().isEmpty() || old == null ? e.ipAddresses() : old.ipAddresses(),
                e.status(),
                // A status update says nothing of health checks: keep what is known.
                old != null ? old.healthResults() : null);
        if (old == null) {
            tasks.add(updated);
        } else {
            tasks.set(index, updated);
        }
        return Outcome.changedIf(update(app, tasks));
    }

    private Outcome instance(MarathonEvent.InstanceChanged e) {
        MarathonApp app = apps.get(e.appId());
        if (GONE_CONDITIONS.contains(e.condition())) {
            if (app == null) {
                return Outcome.UNCHANGED;
            }
            List<MarathonTask> kept = new ArrayList<>(app.tasks().size());
            for (MarathonTask t : app.tasks()) {
                if (InstanceIds.sameInstance(t.id(), e.instanceId())) {
                    bury(t.id());
                } else {
                    kept.add(t);
                }
            }
            return Outcome.changedIf(update(app, kept));
        }
        // Running instances are added by their status_update_event, which carries the ports this does not.
        return app == null && "Running".equals(e.condition()) ? Outcome.refetch(Set.of(e.appId())) : Outcome.UNCHANGED;
    }

    private Outcome health(MarathonEvent.HealthChanged e) {
        if (e.healthy() == null) {
            return Outcome.UNCHANGED;
        }
        MarathonApp app = apps.get(e.appId());
        if (app == null) {
            return e.healthy() ? Outcome.refetch(Set.of(e.appId())) : Outcome.UNCHANGED;
        }
        if (e.healthy() && !e.allChecks() && app.healthChecks() > 1) {
            // One check passing says nothing of the others; ask for the whole verdict.
            return Outcome.refetch(Set.of(e.appId()));
        }
        boolean found = false;
        List<MarathonTask> tasks = new ArrayList<>(app.tasks().size());
        for (MarathonTask t : app.tasks()) {
            if (InstanceIds.sameInstance(t.id(), e.id())) {
                found = true;
                tasks.add(t.withHealthResults(List.of(new HealthResult(e.healthy(), e.id()))));
            } else {
                tasks.add(t);
            }
        }
        if (!found) {
            // Healthy news of a task not seen yet: its status update was missed, so ask for it.
            return e.healthy() ? Outcome.refetch(Set.of(e.appId())) : Outcome.UNCHANGED;
        }
        return Outcome.changedIf(update(app, tasks));
    }

    private boolean update(MarathonApp app, List<MarathonTask> tasks) {
        if (tasks.equals(app.tasks())) {
            return false;
        }
        apps.put(app.id(), app.withTasks(tasks));
        changed.add(app.id());
        return true;
    }

    private static int indexOf(List<MarathonTask> tasks, String taskId) {
        for (int i = 0; i < tasks.size(); i++) {
            if (tasks.get(i).id().equals(taskId)) {
                return i;
            }
        }
        return -1;
    }

    private void bury(String taskId) {
        tombstones.put(taskId, Boolean.TRUE);
    }

    private boolean buried(String taskId) {
        return tombstones.getIfPresent(Objects.requireNonNull(taskId)) != null;
    }
}
