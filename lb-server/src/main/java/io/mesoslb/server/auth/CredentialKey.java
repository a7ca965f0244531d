package io.mesoslb.server.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What the verification caches are keyed by: HMAC-SHA-256 of the Authorization value and the route's
 * hash. A plain SHA-256 of a header would let whoever reads a heap dump test guesses at SHA-256 speed,
 * undoing the slow hash; keyed with a secret made at start and never stored, it lets them test none.
 * The hash is part of the key so a changed label never meets an old verdict.
 */
record CredentialKey(long a, long b, long c, long d) {
    private static final SecretKeySpec SECRET = newSecret();
    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(CredentialKey::newMac);

    static CredentialKey of(CharSequence authorization, String hash) {
        Mac mac = MAC.get();
        byte[] header = new byte[authorization.length()];
        for (int i = 0; i < header.length; i++) {
            header[i] = (byte) authorization.charAt(i);
        }
        mac.update(header);
        Arrays.fill(header, (byte) 0);
        // The header holds no NUL once parsed, so this separator keeps the two parts apart.
        mac.update((byte) 0);
        ByteBuffer digest = ByteBuffer.wrap(mac.doFinal(hash.getBytes(StandardCharsets.UTF_8)));
        return new CredentialKey(digest.getLong(), digest.getLong(), digest.getLong(), digest.getLong());
    }

    private static SecretKeySpec newSecret() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new SecretKeySpec(secret, "HmacSHA256");
    }

    private static Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(SECRET);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
        }
    }

    @Override
    public String toString() {
        return "CredentialKey";
    }
}
