package io.mesoslb.testkit;

import java.util.Map;

/** A subset of Marathon's {@code ?label=} selectors: {@code k==v}, {@code k!=v} and bare {@code k}, ANDed by commas. */
final class LabelSelector {
    private LabelSelector() {
    }

    static boolean matches(String selector, Map<String, String> labels) {
        if (selector == null || selector.isBlank()) {
            return true;
        }
        for (String term : selector.split(",")) {
            if (!matchesTerm(term.trim(), labels)) {
                return false;
            }
        }
        return true;
    }

    private static boolean matchesTerm(String term, Map<String, String> labels) {
        int ne = term.indexOf("!=");
        if (ne > 0) {
            return !term.substring(ne + 2).trim().equals(labels.get(term.substring(0, ne).trim()));
        }
        int eq = term.indexOf("==");
        if (eq > 0) {
            return term.substring(eq + 2).trim().equals(labels.get(term.substring(0, eq).trim()));
        }
        return labels.containsKey(term);
    }
}
