package io.mesoslb.discovery.labels;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
    /** What the last reading of each app said of it, for /routes and the metrics: current, not cumulative. */
    private final Map<String, List<String>> current = new ConcurrentHashMap<>();

    /** An app's labels are about to be read again: what was said of it before no longer holds. */
    public void begin(String appId) {
        current.remove(appId);
    }

    /** Forgets the apps that are gone (call after each publication with the app ids it had). */
    public void retain(Collection<String> appIds) {
        current.keySet().retainAll(appIds instanceof Set ? appIds : new HashSet<>(appIds));
    }

    /** Forgets what was said of these apps (gone, or read under another id now). */
    public void forget(Collection<String> appIds) {
        current.keySet().removeAll(appIds);
    }

    /** What was said of each app's labels in the last reading, by app id (sorted). */
    public Map<String, List<String>> snapshot() {
        return current.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(current));
    }

    private void note(String routeId, String text) {
        int hash = routeId.indexOf('#');
        String appId = hash < 0 ? routeId : routeId.substring(0, hash);
        current.compute(appId, (k, v) -> {
            List<String> l = v == null ? new ArrayList<>(2) : v;
            if (!l.contains(text)) {
                l.add(text);
            }
            return l;
        });
    }

    /** A label that keeps an app port off the table (it restricts access and cannot be honoured). */
    public void error(String appId, String text) {
        note(appId, appId + ": " + text);
        if (firstTime("E" + appId + '\0' + text)) {
            log.error("app {}: {}", appId, text);
        }
    }

    /** A label that is read but not (fully) honoured. */
    public void warn(String appId, String text) {
        note(appId, appId + ": " + text);
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
