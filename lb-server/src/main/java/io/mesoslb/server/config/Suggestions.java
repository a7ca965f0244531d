package io.mesoslb.server.config;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The known flag nearest to a mistyped one, by edit distance: picocli's own suggestions rank by
 * shared letter pairs, which offers --listen-host for --listen-prot.
 */
final class Suggestions {
    private final List<String> names = new ArrayList<>();

    Suggestions(CommandSpec spec) {
        for (OptionSpec o : spec.options()) {
            names.add(o.longestName().substring(2));
        }
    }

    /**
     * @param name   the unknown name, without dashes
     * @param dashes how a known name is written back: {@code "--"} for a flag, {@code ""} for a file key
     * @return {@code " (did you mean --listen-port?)"}, or {@code ""} when nothing is near
     */
    String didYouMean(String name, String dashes) {
        String best = null;
        int bestDistance = Math.max(2, name.length() / 3) + 1; // farther than that is another word
        for (String known : names) {
            int d = distance(name, known);
            if (d < bestDistance) {
                best = known;
                bestDistance = d;
            }
        }
        return best == null ? "" : " (did you mean " + dashes + best + "?)";
    }

    /** Levenshtein distance, with a swap of two neighbours counted as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            for (int j = 0; j <= b.length(); j++) {
                if (i == 0 || j == 0) {
                    d[i][j] = i + j;
                    continue;
                }
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
