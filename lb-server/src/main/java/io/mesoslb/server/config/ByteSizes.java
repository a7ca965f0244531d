package io.mesoslb.server.config;

/** Parses the sizes of the configuration: {@code 512KB}, {@code 100MB}, {@code 5GB} (1 KB = 1024 bytes, as Logback counts). */
final class ByteSizes {
    private static final String EXAMPLES = "512KB, 100MB, 5GB";

    private ByteSizes() {
    }

    static long parse(String text) {
        Quantity q = Quantity.parse(text, "size", EXAMPLES);
        long unit = switch (q.unit()) {
            case "kb" -> 1L << 10;
            case "mb" -> 1L << 20;
            case "gb" -> 1L << 30;
            case "" -> throw new IllegalArgumentException("'" + text + "' needs a unit: KB, MB or GB");
            default -> throw new IllegalArgumentException("'" + text + "' has an unknown unit '" + q.unit()
                    + "' (KB, MB, GB)");
        };
        if (q.amount() > Long.MAX_VALUE / unit) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return q.amount() * unit;
    }
}
