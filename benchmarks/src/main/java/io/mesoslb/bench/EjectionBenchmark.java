package io.mesoslb.bench;

import io.mesoslb.core.BackendState;
import io.mesoslb.core.EjectionListener;
import io.mesoslb.core.FailureKind;
import io.mesoslb.core.OutlierDetector;
import io.mesoslb.core.OutlierPolicy;
import io.mesoslb.core.Route;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The per-request passive-health cost: pick a backend, then report the outcome on it, as the
 * proxy does for every request. {@code selectOnly} is the baseline to subtract.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@State(Scope.Benchmark)
public class EjectionBenchmark {
    private Route route;
    private OutlierDetector detector;
    private int request;

    @Setup(Level.Trial)
    public void setUp() {
        route = BenchApps.route(3);
        detector = new OutlierDetector(OutlierPolicy.DEFAULT, EjectionListener.NONE);
    }

    @Benchmark
    public BackendState selectOnly() {
        return route.select();
    }

    @Benchmark
    public BackendState selectAndReportSuccess() {
        BackendState s = route.select();
        detector.reportSuccess(route, s);
        return s;
    }

    @Benchmark
    @Threads(2)
    public BackendState selectAndReportSuccess2Threads() {
        BackendState s = route.select();
        detector.reportSuccess(route, s);
        return s;
    }

    /**
     * One request in 64 fails with a 502: the failure run stays short of the threshold, so this is
     * the cost of counting and resetting runs, without ejections.
     */
    @Benchmark
    public BackendState selectAndReportWithOccasionalFailure() {
        BackendState s = route.select();
        if ((++request & 63) == 0) {
            detector.reportFailure(route, s, FailureKind.GATEWAY_ERROR);
        } else {
            detector.reportSuccess(route, s);
        }
        return s;
    }
}
