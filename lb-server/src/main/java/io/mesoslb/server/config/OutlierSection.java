package io.mesoslb.server.config;

import io.mesoslb.core.OutlierPolicy;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Passive health: when failing backends are ejected, and for how long. */
final class OutlierSection {
    @Option(names = "--outlier-consecutive-failures", paramLabel = "<n>", description = "connect failures, resets, "
            + "timeouts, 502-504 in a row that eject a backend; 0 disables (default: ${DEFAULT-VALUE})")
    Integer consecutiveFailures = OutlierPolicy.DEFAULT.consecutiveFailures();

    @Option(names = "--outlier-consecutive-5xx", paramLabel = "<n>", description = "failures of any kind, 500 "
            + "included, in a row that eject; 0: off (default: ${DEFAULT-VALUE})")
    Integer consecutive5xx = OutlierPolicy.DEFAULT.consecutive5xx();

    @Option(names = "--outlier-base-ejection-time", paramLabel = "<duration>", description = "first ejection; "
            + "the n-th in a row lasts n times as long (default: ${DEFAULT-VALUE})")
    String baseEjectionTime = "30s";

    @Option(names = "--outlier-max-ejection-time", paramLabel = "<duration>",
            description = "longest ejection (default: ${DEFAULT-VALUE})")
    String maxEjectionTime = "300s";

    @Option(names = "--outlier-max-ejection-percent", paramLabel = "<n>", description = "most of an app's backends "
            + "ejected at once; at least one of two or more, never all (default: ${DEFAULT-VALUE})")
    Integer maxEjectionPercent = OutlierPolicy.DEFAULT.maxEjectionPercent();

    OutlierPolicy validate(ConfigProblems p) {
        int failures = p.range("outlier-consecutive-failures", consecutiveFailures, 0, 1_000_000);
        int failures5xx = p.range("outlier-consecutive-5xx", consecutive5xx, 0, 1_000_000);
        Duration base = p.duration("outlier-base-ejection-time", baseEjectionTime, false);
        Duration max = p.duration("outlier-max-ejection-time", maxEjectionTime, false);
        int percent = p.range("outlier-max-ejection-percent", maxEjectionPercent, 0, 100);
        if (max.compareTo(base) < 0) {
            p.add("outlier-max-ejection-time (" + maxEjectionTime + ") must not be shorter than "
                    + "outlier-base-ejection-time (" + baseEjectionTime + ")");
        }
        try {
            return OutlierPolicy.DEFAULT.withConsecutiveFailures(failures).withConsecutive5xx(failures5xx)
                    .withEjectionTime(base, max).withMaxEjectionPercent(percent);
        } catch (IllegalArgumentException e) {
            // Already reported above, setting by setting.
            return OutlierPolicy.DEFAULT;
        }
    }
}
