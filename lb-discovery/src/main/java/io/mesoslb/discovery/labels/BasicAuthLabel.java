package io.mesoslb.discovery.labels;

import io.mesoslb.core.BasicAuth;
import io.mesoslb.core.CryptFamily;

/**
 * marathon-lb's {@code HAPROXY_<n>_AUTH}: {@code realm:user:hash}, exactly three fields (marathon-lb
 * unpacks a split on ':' into three), the hash in a crypt(3) form that HAProxy would hand to the
 * system's crypt. Anything else is refused, so that the caller keeps the port off the table.
 */
final class BasicAuthLabel {
    private BasicAuthLabel() {
    }

    /** The user and hash, or null when the value is not three non-empty fields with a known hash family. */
    static BasicAuth parse(String value) {
        String[] parts = value.strip().split(":", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            return null;
        }
        if (CryptFamily.of(parts[2]) == CryptFamily.UNKNOWN) {
            return null;
        }
        return new BasicAuth(parts[0], parts[1], parts[2]);
    }

    /** For an error message: the hash family when there is a third field, never the hash itself. */
    static String hashKind(String value) {
        String[] parts = value.strip().split(":", -1);
        if (parts.length != 3) {
            return " (it has " + parts.length + " fields)";
        }
        return " (hash type: " + CryptFamily.of(parts[2]).displayName() + ")";
    }
}
