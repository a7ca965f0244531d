package io.mesoslb.discovery.marathon;

import io.mesoslb.discovery.labels.DeploymentLabels;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Blue-green deployments as zdd.py runs them: while both colours of an app exist they serve as
 * one route, named after their {@code HAPROXY_DEPLOYMENT_GROUP}, so the host never loses its
 * backends mid-switch. As marathon-lb's {@code get_apps}: the older colour (by
 * {@code HAPROXY_DEPLOYMENT_STARTED_AT}) leads, its labels deciding how the route is routed; as
 * the new colour's tasks turn healthy, as many old tasks (in task id order, so every balancer
 * drains the same ones) stop getting requests, but never so many that fewer than the deployment's
 * target would be left.
 */
final class DeploymentGroups {
    /**
     * One route's worth of apps.
     *
     * @param id       the route id: the deployment group, or the app's own id
     * @param lead     the app whose labels decide how it is routed
     * @param members  the apps whose tasks serve it, the lead first
     * @param draining ids of the lead's (and earlier members') tasks that get no new requests
     */
    record Deployment(String id, MarathonApp lead, List<MarathonApp> members, Set<String> draining) {
    }

    private static final Comparator<Member> AGE = Comparator.comparing((Member m) -> m.labels().startedAt())
            .thenComparing(m -> m.app().id());

    private record Member(MarathonApp app, DeploymentLabels labels) {
    }

    private DeploymentGroups() {
    }

    /**
     * @param serving whether a task of an app would get traffic now: what counts as a healthy new
     *                instance (a task Marathon calls healthy that the proxy cannot reach does not)
     */
    static List<Deployment> of(Collection<MarathonApp> apps, BiPredicate<MarathonApp, MarathonTask> serving) {
        List<Deployment> out = new ArrayList<>(apps.size());
        Map<String, List<Member>> groups = new LinkedHashMap<>();
        for (MarathonApp app : apps) {
            DeploymentLabels labels = DeploymentLabels.of(app.labels());
            if (labels == null) {
                out.add(new Deployment(app.id(), app, List.of(app), Set.of()));
            } else {
                groups.computeIfAbsent(labels.group(), g -> new ArrayList<>(2)).add(new Member(app, labels));
            }
        }
        groups.forEach((group, members) -> out.add(merge(group, members, serving)));
        return out;
    }

    private static Deployment merge(String group, List<Member> members, BiPredicate<MarathonApp, MarathonTask> serving) {
        members.sort(AGE);
        MarathonApp lead = members.get(0).app();
        List<MarathonApp> apps = new ArrayList<>(members.size());
        List<MarathonTask> older = new ArrayList<>(lead.tasks());
        Set<String> draining = new HashSet<>();
        int oldInstances = Math.min(lead.instances(), live(lead));
        apps.add(lead);
        for (Member newer : members.subList(1, members.size())) {
            MarathonApp app = newer.app();
            int healthyNew = 0;
            for (MarathonTask task : app.tasks()) {
                if (serving.test(app, task)) {
                    healthyNew++;
                }
            }
            int drainable = Math.max(0, healthyNew + oldInstances - newer.labels().targetInstances());
            older.sort(Comparator.comparing(MarathonTask::id));
            int n = Math.min(older.size(), Math.min(healthyNew, drainable));
            for (int i = 0; i < n; i++) {
                draining.add(older.get(i).id());
            }
            older.addAll(app.tasks());
            apps.add(app);
        }
        return new Deployment(group, lead, apps, draining);
    }

    /**
     * The old colour's tasks that are not being killed. zdd.py kills each drained task with
     * {@code scale=true}; the lower instance count only reaches discovery with the next app fetch,
     * while the task's TASK_KILLING comes at once. The smaller of the two drains fewer old tasks.
     */
    private static int live(MarathonApp app) {
        int n = 0;
        for (MarathonTask task : app.tasks()) {
            if (!TaskStates.gone(task.state())) {
                n++;
            }
        }
        return n;
    }
}
