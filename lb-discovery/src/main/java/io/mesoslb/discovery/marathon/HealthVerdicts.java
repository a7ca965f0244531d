package io.mesoslb.discovery.marathon;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.mesoslb.core.Ticker;
import java.time.Duration;

/**
 * The last health verdict seen for each task id.
 *
 * <p>Marathon keeps the results of its own health checks in the leader's memory only, so right
 * after a leader election every task comes back without results. Reusing the last verdict then
 * keeps the cluster routed instead of black-holing it until the checks run again. Entries expire
 * after a period without use, which bounds the cache to tasks that still exist.
 */
public final class HealthVerdicts {
    public static final Duration DEFAULT_TTL = Duration.ofHours(1);
    public static final long DEFAULT_CAPACITY = 100_000;

    private final Cache<String, Boolean> verdicts;

    public HealthVerdicts() {
        this(DEFAULT_TTL, DEFAULT_CAPACITY, Ticker.SYSTEM);
    }

    public HealthVerdicts(Duration ttl, long capacity, Ticker ticker) {
        this.verdicts = Caffeine.newBuilder()
                .expireAfterAccess(ttl)
                .maximumSize(capacity)
                .ticker(ticker::nanos)
                .executor(Runnable::run)
                .build();
    }

    void record(String taskId, boolean healthy) {
        // Every publish records every health-checked task; a read (which also refreshes the entry's
        // access time) is far cheaper than a write when the verdict has not changed, as is usual.
        Boolean last = verdicts.getIfPresent(taskId);
        if (last == null || last != healthy) {
            verdicts.put(taskId, healthy);
        }
    }

    /** The last verdict, or null if none is known. */
    Boolean last(String taskId) {
        return verdicts.getIfPresent(taskId);
    }
}
