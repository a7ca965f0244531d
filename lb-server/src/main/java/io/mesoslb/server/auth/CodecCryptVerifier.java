package io.mesoslb.server.auth;

import io.mesoslb.core.CryptFamily;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.Set;
import org.apache.commons.codec.digest.Crypt;

/**
 * The fallback when libcrypt cannot be loaded: commons-codec's MD5-, SHA-256- and SHA-512-crypt.
 * Everything else commons-codec would hand to its DES code, so it is refused here as unverifiable.
 */
final class CodecCryptVerifier implements CryptVerifier {
    private static final Set<CryptFamily> SUPPORTED =
            EnumSet.of(CryptFamily.MD5, CryptFamily.SHA256, CryptFamily.SHA512);

    @Override
    public boolean canVerify(String hash) {
        return SUPPORTED.contains(CryptFamily.of(hash));
    }

    @Override
    public Verification verify(byte[] password, String hash) {
        if (!canVerify(hash)) {
            return Verification.UNVERIFIABLE;
        }
        if (Passwords.containsNul(password)) {
            // crypt(3) would stop at the NUL and hash a different password.
            return Verification.MISMATCH;
        }
        String computed;
        try {
            computed = Crypt.crypt(password, hash);
        } catch (IllegalArgumentException badSalt) {
            return Verification.UNVERIFIABLE;
        }
        return MessageDigest.isEqual(computed.getBytes(StandardCharsets.US_ASCII),
                hash.getBytes(StandardCharsets.US_ASCII)) ? Verification.MATCH : Verification.MISMATCH;
    }
}
