package io.mesoslb.bench;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CPU time of one proxied exchange, in memory: {@link ExchangeAllocationBenchmark}'s exchange
 * (the proxy's real client and backend pipelines, the driver and the in-VM origin) run in batches
 * on one Netty thread, each batch timed by that thread's CPU clock. On a machine that other jobs
 * share, CPU time moves much less than the wall time JMH reports, as time spent waiting for a core
 * is not counted. It includes the driver's and the origin's share (about 0.7 us, {@code driverOnly}).
 *
 * <p>{@code java -cp benchmarks.jar io.mesoslb.bench.ExchangeCpuTime [exchange [observe [batches [size]]]]},
 * defaults {@code GET metrics 8 100000}, after a warm-up of six batches; prints the least and the
 * median ns per exchange of the batches. Compare builds by running each jar in turn, several times.
 */
public final class ExchangeCpuTime {
    /** The result goes to the log, as the other benchmark reports do. */
    private static final Logger REPORT = LoggerFactory.getLogger("mesos-lb.bench.exchange-cpu-time");

    private ExchangeCpuTime() {
    }

    public static void main(String[] args) throws InterruptedException {
        String exchange = args.length > 0 ? args[0] : "GET";
        String observe = args.length > 1 ? args[1] : "metrics";
        int batches = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int size = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;
        Throwable[] failed = new Throwable[1];
        // Netty's kind of thread, as the benchmark's executor gives it (Netty caches buffers on those only).
        Thread t = new FastThreadLocalThread(() -> {
            try {
                run(exchange, observe, batches, size);
            } catch (Throwable e) {
                failed[0] = e;
            }
        }, "exchange-cpu-time");
        t.start();
        t.join();
        if (failed[0] != null) {
            throw new IllegalStateException("the run failed", failed[0]);
        }
    }

    private static void run(String exchange, String observe, int batches, int size) {
        ExchangeAllocationBenchmark.Proxied state = new ExchangeAllocationBenchmark.Proxied();
        state.exchange = CannedExchange.valueOf(exchange);
        state.observe = observe;
        state.setUp();
        ExchangeAllocationBenchmark benchmark = new ExchangeAllocationBenchmark();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 6 * size; i++) {
            benchmark.proxy(state);
        }
        long[] nanos = new long[batches];
        for (int b = 0; b < batches; b++) {
            long start = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < size; i++) {
                benchmark.proxy(state);
            }
            nanos[b] = Math.round((threads.getCurrentThreadCpuTime() - start) / (double) size);
        }
        state.tearDown();
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        REPORT.info("{}/{} CPU ns per exchange: least {}, median {}, batches {}", exchange, observe, sorted[0],
                sorted[batches / 2], Arrays.toString(nanos));
    }
}
