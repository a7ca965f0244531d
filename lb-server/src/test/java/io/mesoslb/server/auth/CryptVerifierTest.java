package io.mesoslb.server.auth;

import static io.mesoslb.server.auth.KnownHashes.PASSWORD;
import static io.mesoslb.server.auth.KnownHashes.WRONG_PASSWORD;
import static io.mesoslb.server.auth.KnownHashes.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.CryptFamily;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** The system's libcrypt, as the shipped jar uses it on Debian. */
class CryptVerifierTest {
    private final CryptVerifier verifier = CryptVerifier.system();

    static Stream<String> everyFamily() {
        return KnownHashes.OF_PASSWORD.keySet().stream().sorted();
    }

    @Test
    void theSystemVerifierIsLibcryptOnThisPlatform() {
        assertThat(LibcryptVerifier.load()).isPresent();
        // system() defers loading to the first check; what it then resolves to is libcrypt.
        assertThat(SystemCryptVerifier.INSTANCE).isInstanceOf(LibcryptVerifier.class);
        assertThat(verifier).isSameAs(LazySystemCrypt.INSTANCE);
    }

    @Test
    void coversEveryKnownFamily() {
        assertThat(KnownHashes.OF_PASSWORD.values()).containsAll(
                Stream.of(CryptFamily.values()).filter(f -> f != CryptFamily.UNKNOWN).toList());
    }

    @ParameterizedTest
    @MethodSource("everyFamily")
    void theRightPasswordMatches(String hash) {
        assertThat(verifier.canVerify(hash)).isTrue();
        assertThat(verifier.verify(bytes(PASSWORD), hash)).isEqualTo(Verification.MATCH);
    }

    @ParameterizedTest
    @MethodSource("everyFamily")
    void aWrongPasswordDoesNot(String hash) {
        assertThat(verifier.verify(bytes(WRONG_PASSWORD), hash)).isEqualTo(Verification.MISMATCH);
        assertThat(verifier.verify(bytes(""), hash)).isEqualTo(Verification.MISMATCH);
    }

    @Test
    void passwordsAreTheirUtf8Bytes() {
        assertThat(verifier.verify(bytes(KnownHashes.UTF8_PASSWORD), KnownHashes.YESCRYPT_OF_UTF8))
                .isEqualTo(Verification.MATCH);
        assertThat(verifier.verify(KnownHashes.UTF8_PASSWORD.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                KnownHashes.YESCRYPT_OF_UTF8)).isEqualTo(Verification.MISMATCH);
    }

    @Test
    void aNulEndsNoPasswordEarly() {
        // C would read "s3cret-Pa55" and match; the client sent something else.
        assertThat(verifier.verify(bytes(PASSWORD + "\0tail"), KnownHashes.SHA512))
                .isEqualTo(Verification.MISMATCH);
    }

    @Test
    void theCallerIsArrayIsLeftAsItWas() {
        byte[] password = bytes(PASSWORD);
        verifier.verify(password, KnownHashes.MD5);
        assertThat(password).isEqualTo(bytes(PASSWORD));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"!", "*", "!$6$abc$def", "$9$abc$def", "$2$05$abcdefghijklmnopqrstuv", "garbage!",
        "$y$\u00e9T$abc$def", "$6$abc\0$def"})
    void unknownOrMalformedHashesAreUnverifiableNotMismatches(String hash) {
        assertThat(verifier.canVerify(hash)).isFalse();
        assertThat(verifier.verify(bytes(PASSWORD), hash)).isEqualTo(Verification.UNVERIFIABLE);
    }

    @Test
    void verifiesFromManyThreadsAtOnce() throws Exception {
        // crypt_rn with a work area per thread: no shared state to trample.
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            var results = new java.util.ArrayList<java.util.concurrent.Future<Verification>>();
            for (int i = 0; i < 40; i++) {
                boolean right = i % 2 == 0;
                String hash = i % 4 < 2 ? KnownHashes.SHA512 : KnownHashes.MD5;
                results.add(pool.submit(() -> verifier.verify(bytes(right ? PASSWORD : WRONG_PASSWORD), hash)));
            }
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get(10, java.util.concurrent.TimeUnit.SECONDS))
                        .isEqualTo(i % 2 == 0 ? Verification.MATCH : Verification.MISMATCH);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
