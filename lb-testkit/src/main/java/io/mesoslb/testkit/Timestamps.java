package io.mesoslb.testkit;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Marathon's ISO-8601 millisecond timestamps. App versions must differ between two changes made within the same
 * millisecond (consumers compare them), so {@link #nextVersion()} never repeats itself.
 */
final class Timestamps {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private long lastVersionMillis;

    static String now() {
        return FORMAT.format(Instant.now());
    }

    synchronized String nextVersion() {
        long millis = Math.max(System.currentTimeMillis(), lastVersionMillis + 1);
        lastVersionMillis = millis;
        return FORMAT.format(Instant.ofEpochMilli(millis));
    }
}
