package io.mesoslb.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which apps this balancer serves, by their groups: the way one Marathon feeds an internet-facing
 * tier and an internal one (marathon-lb's {@code --group}). Without configured groups (or with
 * {@code *}) every app is served; with them, an app port is served when one of its groups
 * ({@link RouteSpec#groups}) is one of them.
 */
public final class AppGroups {
    /** Serves every app, labelled or not. */
    public static final AppGroups ALL = new AppGroups(Set.of());

    /** Lower-case; empty means every app. */
    private final Set<String> groups;

    private AppGroups(Set<String> groups) {
        this.groups = groups;
    }

    /** @param groups the groups served; empty, or containing {@code *}, serves every app */
    public static AppGroups of(Collection<String> groups) {
        Set<String> normalized = new TreeSet<>();
        for (String g : groups) {
            String name = g == null ? "" : g.strip().toLowerCase(Locale.ROOT);
            if (name.equals("*")) {
                return ALL;
            }
            if (!name.isEmpty()) {
                normalized.add(name);
            }
        }
        return normalized.isEmpty() ? ALL : new AppGroups(Set.copyOf(normalized));
    }

    public boolean servesAll() {
        return groups.isEmpty();
    }

    /** Whether an app port in these groups is served; one in none is served only by {@link #ALL}. */
    public boolean serves(Set<String> appGroups) {
        if (groups.isEmpty()) {
            return true;
        }
        for (String g : appGroups) {
            if (groups.contains(g)) {
                return true;
            }
        }
        return false;
    }

    /** The apps served, in their order; the same collection when every app is. */
    public Collection<App> select(Collection<App> apps) {
        if (groups.isEmpty()) {
            return apps;
        }
        List<App> served = new ArrayList<>(apps.size());
        for (App app : apps) {
            if (serves(app.spec().groups())) {
                served.add(app);
            }
        }
        return served;
    }

    @Override
    public String toString() {
        return groups.isEmpty() ? "all apps" : "groups " + groups;
    }
}
