package io.mesoslb.bench;

import io.mesoslb.core.App;
import io.mesoslb.core.Backend;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.RouteTableBuilder;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.Ticker;
import io.mesoslb.core.VhostNaming;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What discovery pays per update: building a whole table from the app list; the way every update
 * was published before issue 15 (a whole build, compared with the live table, then swapped:
 * {@link #rebuildOneTaskAdded}); a {@link RouteTableHolder#update} of every app after one task was
 * added to one app (a full resync, which now diffs and publishes the one change); and
 * {@link RouteTableHolder#updateGroups} of that one app, what the event stream does.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Benchmark)
public class TableSwapBenchmark {
    private static final int TASKS = 10;

    @Param({"100", "1000", "10000"})
    int apps;

    private List<App> base;
    private List<App> withExtraTask;
    private RouteTableBuilder builder;
    private RouteTableHolder holder;
    private boolean flip;
    private Map<String, List<App>> oneGroupBase;
    private Map<String, List<App>> oneGroupExtraTask;
    private RouteTable live;

    @Setup(Level.Trial)
    public void setUp() {
        base = BenchApps.apps(apps, TASKS);
        withExtraTask = new ArrayList<>(base);
        int changed = apps / 2;
        App old = base.get(changed);
        List<Backend> more = new ArrayList<>(old.backends());
        more.add(BenchApps.backend(old.id(), changed, TASKS));
        withExtraTask.set(changed, old.withBackends(more));
        builder = new RouteTableBuilder(new VhostNaming(BenchApps.DOMAIN), Ticker.SYSTEM);
        holder = BenchApps.holder(base);
        oneGroupBase = Map.of(old.id(), List.of(old));
        oneGroupExtraTask = Map.of(old.id(), List.of(withExtraTask.get(changed)));
        live = builder.build(base, RouteTable.EMPTY, 1);
    }

    @Benchmark
    public RouteTable fullRebuild() {
        return builder.build(base, RouteTable.EMPTY, 1);
    }

    /** Alternates between the two app lists, so every call really swaps. */
    @Benchmark
    public boolean updateOneTaskAdded() {
        flip = !flip;
        boolean swapped = holder.update(flip ? withExtraTask : base);
        if (!swapped) {
            throw new IllegalStateException("expected a swap");
        }
        return swapped;
    }

    /**
     * The code path before issue 15, for comparison: every app built into a new table, compared with
     * the live one, kept (alternating, so every call would swap).
     */
    @Benchmark
    public RouteTable rebuildOneTaskAdded() {
        flip = !flip;
        RouteTable next = builder.build(flip ? withExtraTask : base, live, live.version() + 1);
        if (next.sameContent(live)) {
            throw new IllegalStateException("expected a change");
        }
        live = next;
        return next;
    }

    /** The event stream's publication: the one changed app's group (alternating, so every call swaps). */
    @Benchmark
    public boolean updateGroupsOneTaskAdded() {
        flip = !flip;
        boolean swapped = holder.updateGroups(flip ? oneGroupExtraTask : oneGroupBase);
        if (!swapped) {
            throw new IllegalStateException("expected a swap");
        }
        return swapped;
    }

    /** Discovery re-sends the same state (e.g. a periodic full resync): build, compare, keep. */
    @Benchmark
    public boolean updateUnchanged() {
        return holder.update(flip ? withExtraTask : base);
    }
}
