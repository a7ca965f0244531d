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
 * What discovery pays per update: building a whole table from the app list, and a
 * {@link RouteTableHolder#update} after one task was added to one app (the common event-stream
 * case), which today also rebuilds the whole table before comparing and swapping.
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

    /** Discovery re-sends the same state (e.g. a periodic full resync): build, compare, keep. */
    @Benchmark
    public boolean updateUnchanged() {
        return holder.update(flip ? withExtraTask : base);
    }
}
