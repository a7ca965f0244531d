package io.mesoslb.server.config;

import io.mesoslb.discovery.UrlCredentials;
import io.mesoslb.core.CidrList;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Collects validation messages so that one run reports all of them. */
final class ConfigProblems {
    private final List<String> messages = new ArrayList<>();

    void add(String message) {
        messages.add(message);
    }

    /** The value stripped, or null when it is unset or blank: a setting whose absence means "none". */
    String optional(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    String nonBlank(String key, String value) {
        if (value == null || value.isBlank()) {
            add(key + " must be set");
            return null;
        }
        return value.strip();
    }

    int range(String key, Integer value, int min, int max) {
        if (value == null) {
            add(key + " must be set");
            return min;
        }
        if (value < min || value > max) {
            add(key + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    Duration duration(String key, String value, boolean zeroAllowed) {
        try {
            Duration d = Durations.parse(value);
            if (d.isNegative() || (!zeroAllowed && d.isZero())) {
                add(key + " must be " + (zeroAllowed ? "zero or more" : "positive") + ", got '" + value + "'");
            }
            return d;
        } catch (IllegalArgumentException e) {
            add(key + ": " + e.getMessage());
            return Duration.ZERO;
        }
    }

    /** A size in bytes ({@code 100MB}), at least {@code min} bytes; -1 when it is no size. */
    long byteSize(String key, String value, long min, String minText) {
        try {
            long bytes = ByteSizes.parse(value);
            if (bytes < min) {
                add(key + " must be at least " + minText + ", got '" + value + "'");
            }
            return bytes;
        } catch (IllegalArgumentException e) {
            add(key + ": " + e.getMessage());
            return -1;
        }
    }

    /** The URL, userinfo and all; messages show it without. */
    URI httpUrl(String key, String value) {
        String shown = UrlCredentials.redact(value);
        try {
            URI uri = new URI(value == null ? "" : value.strip());
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                add(key + ": '" + shown + "' is not an http(s) URL with a host");
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            // The reason, not the message: the message quotes the input.
            add(key + ": '" + shown + "' is not a URL (" + e.getReason() + ")");
            return null;
        }
    }

    CidrList cidrs(String key, List<String> entries) {
        try {
            return CidrList.parse(String.join(",", entries));
        } catch (IllegalArgumentException e) {
            add(key + ": " + e.getMessage());
            return CidrList.EMPTY;
        }
    }

    Path readableFile(String key, String value) {
        if (value == null || value.isBlank()) {
            add(key + " must be set");
            return null;
        }
        Path file = Path.of(value.strip());
        if (!Files.isReadable(file)) {
            add(key + ": cannot read " + file);
            return null;
        }
        return file;
    }

    boolean isEmpty() {
        return messages.isEmpty();
    }

    void throwIfAny() {
        if (!messages.isEmpty()) {
            throw new ConfigException(messages);
        }
    }
}
