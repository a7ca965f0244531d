package io.mesoslb.server.transport;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;

/**
 * How many client connections the proxy takes at once, settled at start. Left unset, it comes from
 * the process's open-file limit: without a limit below it, idle keep-alive clients can hold every
 * descriptor, and then every accept fails and new clients are locked out until one leaves, where a
 * limit makes them wait in the accept queue (see {@link ConnectionLimit}).
 *
 * @param max    the most client connections open at once; 0 for no limit
 * @param source where the number comes from, said in the logs
 */
public record MaxConnections(int max, String source) {
    /** Descriptors left for all but the clients and their backends: discovery, admin, logs, jars, idle pools. */
    static final int RESERVED_DESCRIPTORS = 256;
    /** A process allowed so few files is misconfigured; serving a few clients still beats refusing all. */
    static final int FLOOR = 64;
    /** The largest max-connections the configuration accepts. */
    public static final int CEILING = 10_000_000;

    /**
     * @param configured      the max-connections setting: more than 0 as it is, 0 derived from
     *                        {@code descriptorLimit}, -1 for no limit
     * @param descriptorLimit the process's open-file limit, 0 or less when unknown
     */
    public static MaxConnections decide(int configured, long descriptorLimit) {
        if (configured > 0) {
            return new MaxConnections(configured, "max-connections=" + configured);
        }
        if (configured < 0) {
            return new MaxConnections(0, "max-connections=" + configured);
        }
        int derived = fromDescriptorLimit(descriptorLimit);
        if (derived == 0) {
            return new MaxConnections(0, "the open-file limit is unknown on this platform");
        }
        return new MaxConnections(derived, "derived from the open-file limit of " + descriptorLimit
                + ": (limit - " + RESERVED_DESCRIPTORS + ") / 2, each client may hold a backend connection too");
    }

    /** The default limit for a process that may open {@code descriptorLimit} files; 0 (no limit) when unknown. */
    static int fromDescriptorLimit(long descriptorLimit) {
        if (descriptorLimit <= 0) {
            return 0;
        }
        return (int) Math.min(CEILING, Math.max(FLOOR, (descriptorLimit - RESERVED_DESCRIPTORS) / 2));
    }

    /** This process's open-file limit (the soft limit, as the JVM raised it), or -1 where the JVM cannot tell. */
    public static long processDescriptorLimit() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : -1;
    }
}
