package io.mesoslb.server.auth;

import static io.mesoslb.server.auth.KnownHashes.PASSWORD;
import static io.mesoslb.server.auth.KnownHashes.WRONG_PASSWORD;
import static io.mesoslb.server.auth.KnownHashes.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.CryptFamily;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The fallback for a host whose libcrypt cannot be loaded. */
class CodecCryptVerifierTest {
    private static final Set<CryptFamily> FALLBACK = EnumSet.of(CryptFamily.MD5, CryptFamily.SHA256, CryptFamily.SHA512);

    private final CryptVerifier verifier = SystemCryptVerifier.choose(Optional.empty());

    static Stream<String> fallbackFamilies() {
        return hashes(true);
    }

    static Stream<String> otherFamilies() {
        return hashes(false);
    }

    private static Stream<String> hashes(boolean inFallback) {
        return KnownHashes.OF_PASSWORD.entrySet().stream()
                .filter(e -> FALLBACK.contains(e.getValue()) == inFallback).map(e -> e.getKey()).sorted();
    }

    @Test
    void isWhatIsUsedWithoutLibcrypt() {
        assertThat(verifier).isInstanceOf(CodecCryptVerifier.class);
    }

    @ParameterizedTest
    @MethodSource("fallbackFamilies")
    void verifiesTheShaAndMd5Crypts(String hash) {
        assertThat(verifier.canVerify(hash)).isTrue();
        assertThat(verifier.verify(bytes(PASSWORD), hash)).isEqualTo(Verification.MATCH);
        assertThat(verifier.verify(bytes(WRONG_PASSWORD), hash)).isEqualTo(Verification.MISMATCH);
    }

    @ParameterizedTest
    @MethodSource("otherFamilies")
    void reportsTheOthersUnverifiableEvenWithTheRightPassword(String hash) {
        assertThat(verifier.canVerify(hash)).isFalse();
        assertThat(verifier.verify(bytes(PASSWORD), hash)).isEqualTo(Verification.UNVERIFIABLE);
        assertThat(verifier.verify(bytes(WRONG_PASSWORD), hash)).isEqualTo(Verification.UNVERIFIABLE);
    }

    @Test
    void aMalformedSaltIsUnverifiable() {
        assertThat(verifier.verify(bytes(PASSWORD), "$6$bad salt!$x")).isEqualTo(Verification.UNVERIFIABLE);
    }

    @Test
    void aNulEndsNoPasswordEarly() {
        assertThat(verifier.verify(bytes(PASSWORD + "\0"), KnownHashes.SHA512)).isEqualTo(Verification.MISMATCH);
    }
}
