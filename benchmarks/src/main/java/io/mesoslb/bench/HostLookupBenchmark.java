package io.mesoslb.bench;

import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTable;
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
 * {@link RouteTable#lookup} on raw {@code Host} header values, as the proxy calls it once per
 * request. Inputs cycle through 1,024 distinct headers so that branch prediction and caches see a
 * realistic spread rather than one hot key.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@State(Scope.Benchmark)
public class HostLookupBenchmark {
    private static final int INPUTS = 1024;

    @Param({"10", "1000", "10000"})
    int vhosts;

    private RouteTable table;
    private String[] hits;
    private String[] misses;
    private String[] idnMisses;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        table = BenchApps.holder(BenchApps.apps(vhosts, 2)).current();
        hits = new String[INPUTS];
        misses = new String[INPUTS];
        idnMisses = new String[INPUTS];
        for (int i = 0; i < INPUTS; i++) {
            int app = (int) ((i * 2_654_435_761L) % vhosts);
            String host = BenchApps.host(app);
            // Browsers send lower case; curl users and health checkers send anything.
            hits[i] = i % 2 == 0 ? host : mixedCase(host) + ":8080";
            misses[i] = "unknown" + i + ".group" + (i % 10) + "." + BenchApps.DOMAIN + (i % 2 == 0 ? "" : ":443");
            idnMisses[i] = "BÜCHER" + i + "." + BenchApps.DOMAIN;
        }
        if (table.lookup(hits[1]) == null || table.lookup(misses[1]) != null) {
            throw new IllegalStateException("benchmark inputs do not match the table");
        }
    }

    private static String mixedCase(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(i % 3 == 0 ? Character.toUpperCase(c) : c);
        }
        return sb.toString();
    }

    private int index() {
        int i = next;
        next = (i + 1) & (INPUTS - 1);
        return i;
    }

    @Benchmark
    public Route hitMixedCaseAndPort() {
        return table.lookup(hits[index()]);
    }

    @Benchmark
    public Route miss() {
        return table.lookup(misses[index()]);
    }

    /** Non-ASCII hosts take the allocating IDN path; measured to show what that path costs. */
    @Benchmark
    public Route missInternationalised() {
        return table.lookup(idnMisses[index()]);
    }
}
