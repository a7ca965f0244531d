package io.mesoslb.server.config;

import java.util.Locale;

/**
 * A setting written as digits and a unit ({@code 30s}, {@code 100MB}): the number, and the unit in
 * lower case ({@code ""} when there is none), for {@link Durations} and {@link ByteSizes} to judge.
 */
record Quantity(long amount, String unit) {
    /**
     * @param kind     what the setting is, for messages ("duration")
     * @param examples how to write one, for messages ("500ms, 5s, 2m")
     */
    static Quantity parse(String text, String kind, String examples) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a " + kind + " is required (e.g. " + examples + ")");
        }
        String s = text.strip().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("'" + text + "' is not a " + kind + " (e.g. " + examples + ")");
        }
        if (i < s.length() && (s.charAt(i) == '.' || s.charAt(i) == ',')) {
            throw new IllegalArgumentException("'" + text + "' must be a whole number with a unit (e.g. " + examples
                    + ")");
        }
        try {
            return new Quantity(Long.parseLong(s.substring(0, i)), s.substring(i).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
    }
}
