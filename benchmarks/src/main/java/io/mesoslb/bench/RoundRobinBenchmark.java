package io.mesoslb.bench;

import io.mesoslb.core.BackendState;
import io.mesoslb.core.Route;
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
import org.openjdk.jmh.annotations.Threads;

/**
 * {@link Route#select} with every caller sharing one route, as all event loops share an app's
 * rotation: the threaded variants measure contention on its cursor. On a machine with fewer
 * cores than threads they measure time slicing as much as contention.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@State(Scope.Benchmark)
public class RoundRobinBenchmark {
    @Param({"3", "30"})
    int backends;

    private Route route;
    private Route routeWithOneEjected;

    @Setup(Level.Trial)
    public void setUp() {
        route = BenchApps.route(backends);
        routeWithOneEjected = BenchApps.route(backends);
        routeWithOneEjected.backends().get(0).ejectUntil(System.nanoTime() + TimeUnit.DAYS.toNanos(1));
    }

    @Benchmark
    @Threads(1)
    public BackendState select1Thread() {
        return route.select();
    }

    @Benchmark
    @Threads(2)
    public BackendState select2Threads() {
        return route.select();
    }

    @Benchmark
    @Threads(8)
    public BackendState select8Threads() {
        return route.select();
    }

    /** One backend ejected: its turns take the slow path (clock read, array walks). */
    @Benchmark
    @Threads(1)
    public BackendState selectOneEjected1Thread() {
        return routeWithOneEjected.select();
    }
}
