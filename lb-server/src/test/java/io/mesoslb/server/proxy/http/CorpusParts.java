package io.mesoslb.server.proxy.http;

import io.mesoslb.server.proxy.ProxySettings;
import java.time.Duration;
import java.util.Random;

/** Pieces the seeded corpora of the differential decoder tests build heads from, the same for requests and responses. */
public final class CorpusParts {
    /** The product's default line and header limits (ProxySection). */
    public static final ProxySettings SETTINGS = new ProxySettings(Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofSeconds(10), Duration.ofSeconds(10), 4, 8192, 16384, null, 1, 8192, 16384, Duration.ZERO, Duration.ZERO, 0);
    /** How many of a corpus's fields come first and are well-formed: the rest are odd or malformed. */
    public static final int USUAL_FIELDS = 28;

    private CorpusParts() {
    }

    /**
     * Up to nine fields (wild: sometimes over sixty, sometimes one beyond the header limit), each
     * line ended by {@code end}; only the usual ones unless wild.
     */
    public static void fieldLines(Random random, StringBuilder s, String[] fields, boolean wild, String end,
                                  int maxHeaderSize) {
        int count = random.nextInt(10);
        if (wild && random.nextInt(20) == 0) {
            count = 60 + random.nextInt(10);
        }
        for (int i = 0; i < count; i++) {
            s.append(wild ? pick(random, fields) : pick(random, fields, USUAL_FIELDS)).append(end);
        }
        if (wild && random.nextInt(25) == 0) {
            s.append("X-Big: ").append("b".repeat(maxHeaderSize)).append(end);
        }
    }

    public static String pick(Random random, String[] from) {
        return from[random.nextInt(from.length)];
    }

    /** One of the first {@code firstN}: the well-formed ones. */
    public static String pick(Random random, String[] from, int firstN) {
        return from[random.nextInt(Math.min(firstN, from.length))];
    }
}
