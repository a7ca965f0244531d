package io.mesoslb.server.auth;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the verifier once per process, and says in the log which one, since it decides what verifies. */
final class SystemCryptVerifier {
    private static final Logger log = LoggerFactory.getLogger(SystemCryptVerifier.class);

    static final CryptVerifier INSTANCE = choose(LibcryptVerifier.load());

    private SystemCryptVerifier() {
    }

    static CryptVerifier choose(Optional<CryptVerifier> libcrypt) {
        if (libcrypt.isPresent()) {
            log.debug("basic auth hashes are verified by the system's libcrypt");
            return libcrypt.get();
        }
        log.warn("the system's libcrypt (libxcrypt) could not be loaded: basic auth verifies only "
                + "$1$, $5$ and $6$ hashes; routes with other hashes will answer 503");
        return new CodecCryptVerifier();
    }
}
