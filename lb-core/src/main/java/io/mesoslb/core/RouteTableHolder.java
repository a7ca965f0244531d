package io.mesoslb.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one mutable reference to the live routing table.
 *
 * <p>Readers (the event loops) do a single volatile read and never lock. Writers (discovery) are
 * serialised among themselves, build the next snapshot off to the side, and publish it with one
 * reference swap, only when its content differs from the live one.
 */
public final class RouteTableHolder {
    /**
     * Called on the writer's thread after a swap, in version order, while other writers wait (and,
     * for its first look, on the thread that adds it with {@link #addListenerFromCurrent}); must not
     * block.
     */
    @FunctionalInterface
    public interface Listener {
        void tableChanged(TableChange change);
    }

    private static final Logger log = LoggerFactory.getLogger(RouteTableHolder.class);

    private final RouteTableBuilder builder;
    private final AppGroups groups;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile RouteTable current = RouteTable.EMPTY;
    private long swaps;
    // Guarded by this.
    private List<App> staticApps = List.of();
    /** Source group (a Marathon app id, or an App id for {@link #update}) to the served apps it produces now. */
    private final TreeMap<String, List<App>> reported = new TreeMap<>();
    /** App id to the groups that produce it, each with its first app of that id. */
    private final Map<String, TreeMap<String, App>> byId = new HashMap<>();
    /** Static app id to its first static app. */
    private final Map<String, App> staticById = new LinkedHashMap<>();
    private final TableState state;
    private final Ticker ticker;

    public RouteTableHolder(VhostNaming naming) {
        this(naming, AppGroups.ALL, Ticker.SYSTEM);
    }

    public RouteTableHolder(VhostNaming naming, Ticker ticker) {
        this(naming, AppGroups.ALL, ticker);
    }

    /** @param groups which of the apps discovery reports are routed (static apps always are) */
    public RouteTableHolder(VhostNaming naming, AppGroups groups) {
        this(naming, groups, Ticker.SYSTEM);
    }

    public RouteTableHolder(VhostNaming naming, AppGroups groups, Ticker ticker) {
        this.ticker = ticker;
        this.builder = new RouteTableBuilder(naming, ticker);
        this.groups = groups;
        this.state = new TableState(builder);
    }

    /** The clock its routes tell ejections by: whatever ejects backends from them must use it too. */
    public Ticker ticker() {
        return ticker;
    }

    /** The live snapshot. */
    public RouteTable current() {
        return current;
    }

    /** Adds a listener of the publications from now on; see {@link #addListenerFromCurrent} for one that needs the live table too. */
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /**
     * Hands {@code listener} the live table, as a change from the empty table ({@link TableChange#whole}),
     * and adds it, with no publication in between: it sees the live table and every later one, each
     * once, in order. The first call is on the caller's thread, under the writer lock like every
     * publication, so it must not block either.
     */
    public void addListenerFromCurrent(Listener listener) {
        synchronized (this) {
            listener.tableChanged(TableChange.whole(RouteTable.EMPTY, current));
            listeners.add(listener);
        }
    }

    /**
     * Replaces the routing with exactly these apps, those of them in this balancer's groups (plus
     * the {@linkplain #setStaticApps static apps}). Only what differs from what was reported before
     * is rebuilt: each app is its own source group here, and an app equal to the one reported
     * before keeps its route as it is.
     *
     * @return true if the table changed and was swapped
     */
    public boolean update(Collection<App> apps) {
        synchronized (this) {
            Map<String, List<App>> byId = new LinkedHashMap<>();
            for (App app : groups.select(apps)) {
                byId.computeIfAbsent(app.id(), id -> new ArrayList<>(1)).add(app);
            }
            Set<String> dirty = new HashSet<>();
            for (String group : new ArrayList<>(reported.keySet())) {
                if (!byId.containsKey(group)) {
                    setGroup(group, List.of(), dirty);
                }
            }
            byId.forEach((group, list) -> setGroup(group, list, dirty));
            return publish(dirty, false);
        }
    }

    /**
     * Replaces what some source groups produce, leaving every other group as it is: the way
     * discovery reports an event that touched a few Marathon apps. One Marathon app (the group,
     * by its id) yields one or more apps ({@code <app>} and {@code <app>#<n>}). Costs what changed:
     * only the changed apps' routes are rebuilt, and only the hosts and service ports they claim
     * (or claimed) are decided again; every other route is the live table's own object.
     *
     * <p>Those of the apps in this balancer's groups are routed (as in {@link #update}). An app id
     * produced by several groups is served by the first group in key order; within a group the first
     * occurrence wins; a {@linkplain #setStaticApps static app} beats both.
     *
     * @param changed group to the complete list of apps it produces now; an empty list removes the group
     * @return true if the table changed and was swapped
     */
    public boolean updateGroups(Map<String, List<App>> changed) {
        synchronized (this) {
            Set<String> dirty = new HashSet<>();
            changed.forEach((group, apps) -> setGroup(group,
                    apps == null ? List.of() : List.copyOf(groups.select(apps)), dirty));
            return publish(dirty, false);
        }
    }

    /** Records what {@code group} produces now; the ids whose app may have changed go to {@code dirty}. */
    private void setGroup(String group, List<App> served, Set<String> dirty) {
        assert Thread.holdsLock(this);
        List<App> old = reported.getOrDefault(group, List.of());
        if (old.equals(served)) {
            return;
        }
        for (App app : old) {
            TreeMap<String, App> sources = byId.get(app.id());
            if (sources != null && sources.remove(group) != null) {
                dirty.add(app.id());
                if (sources.isEmpty()) {
                    byId.remove(app.id());
                }
            }
        }
        for (App app : served) {
            byId.computeIfAbsent(app.id(), id -> new TreeMap<>()).putIfAbsent(group, app);
            dirty.add(app.id());
        }
        if (served.isEmpty()) {
            reported.remove(group);
        } else {
            reported.put(group, List.copyOf(served));
        }
    }

    /** What routes {@code id} now: its static app, else the first group's first app of that id. */
    private App resolve(String id) {
        App app = staticById.get(id);
        if (app != null) {
            return app;
        }
        TreeMap<String, App> sources = byId.get(id);
        return sources == null ? null : sources.firstEntry().getValue();
    }

    /**
     * Apps routed in addition to whatever discovery reports, e.g. routes to the cluster's own
     * masters; replaces the previous static apps and rebuilds the table at once. A reported app
     * with the id of a static app is ignored, and no reported app claims a static app's host
     * (neither whole nor under a path): they are the admin vhosts.
     *
     * @return true if the table changed and was swapped
     */
    public boolean setStaticApps(Collection<App> apps) {
        synchronized (this) {
            Set<String> dirty = new HashSet<>(state.ids());
            dirty.addAll(staticById.keySet());
            staticApps = List.copyOf(apps);
            staticById.clear();
            for (App app : staticApps) {
                staticById.putIfAbsent(app.id(), app);
            }
            dirty.addAll(staticById.keySet());
            dirty.addAll(byId.keySet());
            state.reserve(builder.reservedHosts(staticApps));
            // The reserved hosts may have changed: every app's hosts are decided again.
            return publish(dirty, true);
        }
    }

    private boolean publish(Set<String> dirty, boolean force) {
        assert Thread.holdsLock(this);
        if (dirty.isEmpty()) {
            return false;
        }
        RouteTable previous = current;
        TableChange change = state.apply(dirty, this::resolve, staticById.keySet(), force, previous);
        if (change == null) {
            return false;
        }
        RouteTable next = change.current();
        current = next;
        swaps++;
        log.debug("routing table swapped: {} -> {}", previous, next);
        // Notified under the writer lock so that listeners see swaps in version order even
        // when several writers race; listeners are non-blocking by contract.
        for (Listener l : listeners) {
            try {
                l.tableChanged(change);
            } catch (RuntimeException e) {
                log.warn("routing listener {} failed", l, e);
            }
        }
        return true;
    }

    /** How many snapshots have been published. */
    public synchronized long swaps() {
        return swaps;
    }
}
