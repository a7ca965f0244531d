package io.mesoslb.server.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Parses the durations of the configuration: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, or ISO-8601 {@code PT5S}. */
final class Durations {
    private Durations() {
    }

    static Duration parse(String text) {
        String s = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (s.startsWith("p")) {
            try {
                return Duration.parse(s.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + text + "' is not a duration");
            }
        }
        Quantity q = Quantity.parse(text, "duration", "500ms, 5s, 2m");
        long n = q.amount();
        String unit = q.unit();
        switch (unit) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            case "h":
                return Duration.ofHours(n);
            case "":
                throw new IllegalArgumentException("'" + text + "' needs a unit: ms, s, m or h");
            default:
                throw new IllegalArgumentException("'" + text + "' has an unknown unit '" + unit + "' (ms, s, m, h)");
        }
    }
}
