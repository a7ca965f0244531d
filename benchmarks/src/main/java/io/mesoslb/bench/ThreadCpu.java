package io.mesoslb.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of this JVM's threads summed by who they work for, so that a run sharing one JVM with the
 * simulator (and a machine with other jobs) can still say what the balancer itself spent: wall-clock
 * times stretch with the machine's load, CPU times do not.
 */
final class ThreadCpu {
    /** Thread name prefixes, in order of precedence, to the part they are counted in. */
    private static final Map<String, String> PARTS = new LinkedHashMap<>();

    static {
        PARTS.put("marathon-discovery", "balancer: discovery");
        PARTS.put("marathon-events", "balancer: discovery");
        PARTS.put("marathon-http", "balancer: Marathon client");
        PARTS.put("HttpClient", "balancer: Marathon client");
        PARTS.put("mesos-lb-", "balancer: event loops");
        PARTS.put("marathon-sim", "simulator");
        PARTS.put("multiThreadIoEventLoopGroup", "simulator");
        PARTS.put("main", "client (main)");
    }

    private ThreadCpu() {
    }

    /** CPU nanoseconds per part now, plus "process" (every thread, JIT and GC included). */
    static Map<String, Long> snapshot() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new LinkedHashMap<>();
        for (long id : threads.getAllThreadIds()) {
            ThreadInfo info = threads.getThreadInfo(id);
            long cpu = threads.getThreadCpuTime(id);
            if (info == null || cpu < 0) {
                continue;
            }
            out.merge(partOf(info.getThreadName()), cpu, Long::sum);
        }
        long gc = 0;
        for (java.lang.management.GarbageCollectorMXBean c : ManagementFactory.getGarbageCollectorMXBeans()) {
            gc += Math.max(0, c.getCollectionTime()) * 1_000_000;
        }
        out.put("GC (elapsed, all threads)", gc);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            out.put("process", os.getProcessCpuTime());
        }
        return out;
    }

    private static String partOf(String thread) {
        for (Map.Entry<String, String> e : PARTS.entrySet()) {
            if (thread.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return "other threads";
    }

    /** "part 123 ms, ..." of what each part spent between two snapshots; threads that ended are not counted. */
    static String between(Map<String, Long> before, Map<String, Long> after) {
        StringBuilder s = new StringBuilder();
        long balancer = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long ms = (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 1_000_000;
            if (e.getKey().startsWith("balancer")) {
                balancer += ms;
            }
            s.append(s.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(ms).append(" ms");
        }
        return "balancer threads " + balancer + " ms (" + s + ")";
    }
}
