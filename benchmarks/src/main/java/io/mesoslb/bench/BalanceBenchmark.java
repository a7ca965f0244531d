package io.mesoslb.bench;

import io.mesoslb.core.Balance;
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
 * {@link Route#select(Balance, int, io.mesoslb.core.Backend)} per mode on one route shared by all
 * threads, alone and with the in-flight accounting the data plane adds per request
 * ({@code acquired} then {@code released}: two atomic adds on the chosen backend, which is where
 * event loops sharing an app contend). {@link RoundRobinBenchmark}'s {@code select1Thread} is
 * today's {@code Route.select()}, the baseline the round-robin mode must match.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@State(Scope.Benchmark)
public class BalanceBenchmark {
    @Param({"ROUND_ROBIN", "LEAST_CONN", "SOURCE", "LEAST_REQUEST"})
    Balance balance;

    @Param({"3", "30"})
    int backends;

    private Route route;

    /** A different client per call, as SOURCE sees them; per thread, so it is not itself contended. */
    @State(Scope.Thread)
    public static class Client {
        int hash;

        int next() {
            return hash += 0x01000193;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        route = BenchApps.route(backends);
    }

    @Benchmark
    @Threads(1)
    public BackendState select1Thread(Client client) {
        return route.select(balance, client.next());
    }

    @Benchmark
    @Threads(1)
    public BackendState selectAcquireRelease1Thread(Client client) {
        return selectAcquireRelease(client);
    }

    @Benchmark
    @Threads(2)
    public BackendState selectAcquireRelease2Threads(Client client) {
        return selectAcquireRelease(client);
    }

    private BackendState selectAcquireRelease(Client client) {
        BackendState s = route.select(balance, client.next());
        s.acquired();
        s.released();
        return s;
    }
}
