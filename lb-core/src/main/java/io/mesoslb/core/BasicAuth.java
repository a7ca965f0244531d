package io.mesoslb.core;

import java.util.Objects;

/**
 * One user allowed into a route by HTTP basic auth, with the crypt(3) hash of its password.
 * The hash is never printed: {@link #toString} names the realm, the user and the hash family only.
 */
public record BasicAuth(String realm, String user, String hash) {
    public BasicAuth {
        Objects.requireNonNull(realm, "realm");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(hash, "hash");
    }

    @Override
    public String toString() {
        return "BasicAuth[realm=" + realm + ", user=" + user + ", " + CryptFamily.of(hash).displayName() + "]";
    }
}
