package io.mesoslb.server.auth;

/**
 * Checks a password against a crypt(3) hash as HAProxy's {@code userlist} does. Implementations are
 * thread-safe; {@link #verify} may take as long as the hash was made to take, so it must not be called
 * on an event loop.
 */
public interface CryptVerifier {

    /**
     * @param password the password's bytes as the client sent them; read, not kept or changed
     * @param hash the stored hash, e.g. {@code $6$salt$...}
     */
    Verification verify(byte[] password, String hash);

    /**
     * Whether {@link #verify} can give MATCH or MISMATCH for this hash here, without hashing anything:
     * for checking a route's hash when it is configured.
     */
    boolean canVerify(String hash);

    /**
     * The system's libcrypt, or the Java fallback when it cannot be loaded; one per process. Loaded
     * at the first verification, on a hashing thread: loading it through JNA takes about half a
     * second, which every start paid before, routes with basic auth or not.
     */
    static CryptVerifier system() {
        return LazySystemCrypt.INSTANCE;
    }
}
