package io.mesoslb.discovery.labels;

import io.mesoslb.core.BasicAuth;
import io.mesoslb.core.CryptFamily;
import java.util.ArrayList;
import java.util.List;

/**
 * Traefik 1.7's basic-auth users ({@code frontend.auth.basic}, {@code frontend.auth.basic.users}):
 * {@code user:hash,user2:hash2}, htpasswd lines. A route holds one user, and only hashes the
 * system's crypt(3) verifies can be checked; anything else is refused so that the caller keeps the
 * port off the table rather than serve it open.
 */
final class TraefikBasicAuth {
    /** The realm Traefik's authenticator sends in its challenge. */
    static final String REALM = "traefik";

    private TraefikBasicAuth() {
    }

    /** Why the users cannot be honoured. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /**
     * @param users the comma-separated {@code user:hash} entries of every basic-auth label the frontend has
     * @return the one user, or null when the labels name none (Traefik then asks for no credentials)
     */
    static BasicAuth parse(List<String> users) throws Refused {
        List<String> entries = new ArrayList<>();
        for (String label : users) {
            for (String entry : label.split(",")) {
                if (!entry.isBlank()) {
                    entries.add(entry.strip());
                }
            }
        }
        if (entries.isEmpty()) {
            return null;
        }
        if (entries.size() > 1) {
            throw new Refused("names " + entries.size() + " users; mesos-lb checks one user per route");
        }
        String entry = entries.get(0);
        int colon = entry.indexOf(':');
        if (colon <= 0 || colon == entry.length() - 1) {
            throw new Refused("is not user:hash");
        }
        String hash = entry.substring(colon + 1);
        CryptFamily family = CryptFamily.of(hash);
        if (family == CryptFamily.UNKNOWN) {
            throw new Refused("has a hash mesos-lb cannot verify (" + kind(hash) + "); use a crypt(3) hash"
                    + " such as bcrypt (htpasswd -B) or SHA-512-crypt");
        }
        return new BasicAuth(REALM, entry.substring(0, colon), hash);
    }

    /** The htpasswd forms Traefik takes that crypt(3) does not, named for the message; never the hash itself. */
    private static String kind(String hash) {
        if (hash.startsWith("$apr1$")) {
            return "Apache MD5 ($apr1$)";
        }
        if (hash.startsWith("{SHA}")) {
            return "{SHA}";
        }
        return CryptFamily.UNKNOWN.displayName();
    }
}
