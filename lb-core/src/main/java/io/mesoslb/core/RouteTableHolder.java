package io.mesoslb.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
     * Called on the writer's thread after a swap, in version order, while other writers wait; must
     * not block.
     */
    @FunctionalInterface
    public interface Listener {
        void tableChanged(RouteTable previous, RouteTable current);
    }

    private static final Logger log = LoggerFactory.getLogger(RouteTableHolder.class);

    private final RouteTableBuilder builder;
    private final AppGroups groups;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile RouteTable current = RouteTable.EMPTY;
    private long swaps;
    // Guarded by this.
    private List<App> staticApps = List.of();
    private List<App> reported = List.of();
    private final Map<String, List<App>> sourceGroups = new LinkedHashMap<>();

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
        this.builder = new RouteTableBuilder(naming, ticker);
        this.groups = groups;
    }

    /** The live snapshot. */
    public RouteTable current() {
        return current;
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /**
     * Replaces the routing with exactly these apps, those of them in this balancer's groups (plus
     * the {@linkplain #setStaticApps static apps}).
     *
     * @return true if the table changed and was swapped
     */
    public boolean update(Collection<App> apps) {
        synchronized (this) {
            reported = List.copyOf(groups.select(apps));
            return rebuild();
        }
    }

    /**
     * Replaces the apps of the given source groups (an empty list removes a group); groups not in
     * the map keep theirs. Minimal version: rebuilds the table from every group's apps.
     *
     * @param changed each changed group's complete list of apps
     * @return true if the table changed and was swapped
     */
    public boolean updateGroups(Map<String, List<App>> changed) {
        synchronized (this) {
            changed.forEach((group, apps) -> {
                if (apps.isEmpty()) {
                    sourceGroups.remove(group);
                } else {
                    sourceGroups.put(group, List.copyOf(apps));
                }
            });
            List<App> all = new ArrayList<>();
            sourceGroups.values().forEach(all::addAll);
            reported = List.copyOf(groups.select(all));
            return rebuild();
        }
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
            staticApps = List.copyOf(apps);
            return rebuild();
        }
    }

    private boolean rebuild() {
        assert Thread.holdsLock(this);
        RouteTable previous = current;
        // Static apps keep their ids and their hosts: no reported app takes either.
        RouteTable next = builder.build(staticApps, reported, previous, previous.version() + 1);
        if (next.sameContent(previous)) {
            return false;
        }
        current = next;
        swaps++;
        log.debug("routing table swapped: {} -> {}", previous, next);
        // Notified under the writer lock so that listeners see swaps in version order even
        // when several writers race; listeners are non-blocking by contract.
        for (Listener l : listeners) {
            try {
                l.tableChanged(previous, next);
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
