package io.mesoslb.discovery.labels;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says each label problem once per app and wording, not on every publication (a big cluster
 * publishes many times a minute, and a warning repeated on each would bury the rest of the log).
 */
public final class LabelProblems {
    private static final Logger log = LoggerFactory.getLogger(LabelProblems.class);
    /** Plenty for any cluster's label mistakes; past it, problems are still logged, only not deduplicated. */
    private static final int MAX_REMEMBERED = 10_000;

    private final Set<String> said = ConcurrentHashMap.newKeySet();

    /** A label that keeps an app port off the table (it restricts access and cannot be honoured). */
    public void error(String appId, String text) {
        if (firstTime("E" + appId + '\0' + text)) {
            log.error("app {}: {}", appId, text);
        }
    }

    /** A label that is read but not (fully) honoured. */
    public void warn(String appId, String text) {
        if (firstTime("W" + appId + '\0' + text)) {
            log.warn("app {}: {}", appId, text);
        }
    }

    private boolean firstTime(String key) {
        if (said.size() >= MAX_REMEMBERED) {
            return true;
        }
        return said.add(key);
    }
}
