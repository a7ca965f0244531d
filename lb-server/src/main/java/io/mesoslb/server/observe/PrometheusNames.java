package io.mesoslb.server.observe;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * Keeps {@code /metrics} clean for {@code promtool check metrics}: two names of Micrometer's
 * system binders break Prometheus' naming rules.
 *
 * <ul>
 *   <li>{@code process_cpu_time_ns_total} (ProcessorMetrics, in nanoseconds: "names should not contain
 *       abbreviated units") is replaced with Prometheus' own {@code process_cpu_seconds_total}, in seconds.
 *   <li>{@code system_cpu_count} (a gauge: "non-histogram and non-summary metrics should not have
 *       {@code _count} suffix") is renamed {@code system_cpus_available} (the JVM's available processors).
 * </ul>
 */
public final class PrometheusNames {
    static final String CPU_TIME = "process.cpu.time";
    static final String CPU_COUNT = "system.cpu.count";
    static final String CPUS = "system.cpus.available";

    private PrometheusNames() {
    }

    /** The filter to install on the registry before any binder registers. */
    public static MeterFilter filter() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals(CPU_COUNT) ? id.withName(CPUS) : id;
            }

            @Override
            public io.micrometer.core.instrument.config.MeterFilterReply accept(Meter.Id id) {
                return id.getName().equals(CPU_TIME)
                        ? io.micrometer.core.instrument.config.MeterFilterReply.DENY
                        : io.micrometer.core.instrument.config.MeterFilterReply.NEUTRAL;
            }
        };
    }

    /** Registers {@code process_cpu_seconds_total} when the JVM reports its process CPU time. */
    public static void bindProcessCpuSeconds(MeterRegistry registry) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun && sun.getProcessCpuTime() >= 0) {
            FunctionCounter.builder("process.cpu.seconds", sun, b -> b.getProcessCpuTime() / 1e9)
                    .description("CPU time used by the JVM process, in seconds")
                    .register(registry);
        }
    }
}
