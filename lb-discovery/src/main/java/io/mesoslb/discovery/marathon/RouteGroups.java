package io.mesoslb.discovery.marathon;

import io.mesoslb.core.App;
import io.mesoslb.discovery.labels.DeploymentLabels;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Marathon's apps as the source groups they are published in ({@code RouteTableHolder.updateGroups}):
 * each app is a group of its own, keyed by its id, except the colours of a blue-green deployment
 * (one {@code HAPROXY_DEPLOYMENT_GROUP}), which make one merged route and so one group, keyed
 * {@value #DEPLOYMENT_PREFIX}{@code <group>}. Remembers what each group last published, so that only
 * groups whose routes differ are published again.
 *
 * <p>Single-threaded: discovery's reducer only (one task at a time, see {@link Reducer}).
 */
final class RouteGroups {
    /** Cannot be an app id (those start with a slash). */
    static final String DEPLOYMENT_PREFIX = "deployment-group:";

    private final RoutingPolicy policy;
    /** Each group's routes as last published; groups without routes are absent. */
    private final Map<String, List<App>> published = new HashMap<>();
    /** Each app's group. */
    private final Map<String, String> groupOf = new HashMap<>();
    /** Each group's member app ids. */
    private final Map<String, Set<String>> members = new HashMap<>();

    RouteGroups(RoutingPolicy policy) {
        this.policy = policy;
    }

    /** The group an app is published in. */
    static String keyOf(MarathonApp app) {
        DeploymentLabels d = DeploymentLabels.of(app.labels());
        return d == null ? app.id() : DEPLOYMENT_PREFIX + d.group();
    }

    /**
     * Recomputes the groups of the apps that changed (their group before and after, so a blue-green
     * group is recomputed when either colour changes) and returns those whose routes differ from
     * what they last published: each with its complete routes, empty when it has none now.
     */
    Map<String, List<App>> changed(MarathonState state, Collection<String> appIds) {
        Set<String> touched = new LinkedHashSet<>();
        List<String> gone = new ArrayList<>();
        for (String id : appIds) {
            String before = groupOf.get(id);
            MarathonApp app = state.app(id);
            String after = app == null ? null : keyOf(app);
            if (before != null) {
                touched.add(before);
                if (!before.equals(after)) {
                    leave(before, id);
                }
            }
            if (after != null) {
                touched.add(after);
                groupOf.put(id, after);
                members.computeIfAbsent(after, k -> new HashSet<>(2)).add(id);
            }
            if (after == null || !after.equals(id)) {
                gone.add(id);
            }
        }
        // Problems said of an app that is gone, or now read as a colour, no longer hold.
        policy.forget(gone);
        Map<String, List<App>> out = new LinkedHashMap<>();
        for (String key : touched) {
            recompute(state, key, out);
        }
        return out;
    }

    /**
     * Recomputes every group from the state (after a full snapshot) and returns those whose routes
     * differ from what they last published, including groups that are gone (empty). Every app is
     * read again, so health verdicts and agent addresses are refreshed for all; what is published
     * is only the difference.
     */
    Map<String, List<App>> all(MarathonState state) {
        Set<String> ids = new HashSet<>(groupOf.keySet());
        for (MarathonApp app : state.apps()) {
            ids.add(app.id());
        }
        Map<String, List<App>> out = changed(state, ids);
        // Groups nobody touched (none should be left) are recomputed too.
        for (String key : new ArrayList<>(published.keySet())) {
            if (!members.containsKey(key)) {
                recompute(state, key, out);
            }
        }
        return out;
    }

    private void leave(String key, String appId) {
        groupOf.remove(appId);
        Set<String> m = members.get(key);
        if (m != null) {
            m.remove(appId);
            if (m.isEmpty()) {
                members.remove(key);
            }
        }
    }

    private void recompute(MarathonState state, String key, Map<String, List<App>> out) {
        Set<String> ids = members.getOrDefault(key, Set.of());
        List<MarathonApp> apps = new ArrayList<>(ids.size());
        for (String id : ids) {
            MarathonApp app = state.app(id);
            if (app != null) {
                apps.add(app);
            }
        }
        if (key.startsWith(DEPLOYMENT_PREFIX)) {
            // A colour's reading depends on the others': read the whole group afresh.
            List<String> said = new ArrayList<>(ids);
            said.add(key.substring(DEPLOYMENT_PREFIX.length()));
            policy.forget(said);
        }
        List<App> routes = apps.isEmpty() ? List.of() : List.copyOf(policy.group(apps));
        List<App> before = published.getOrDefault(key, List.of());
        if (!routes.equals(before)) {
            out.put(key, routes);
            if (routes.isEmpty()) {
                published.remove(key);
            } else {
                published.put(key, routes);
            }
        }
    }
}
