package io.mesoslb.server.auth;

/**
 * {@link CryptVerifier#system()}: refers to {@link SystemCryptVerifier} only inside its methods, so
 * that the JVM loads libcrypt when a hash is first checked, not when the proxy starts.
 */
final class LazySystemCrypt implements CryptVerifier {
    static final CryptVerifier INSTANCE = new LazySystemCrypt();

    private LazySystemCrypt() {
    }

    @Override
    public Verification verify(byte[] password, String hash) {
        return SystemCryptVerifier.INSTANCE.verify(password, hash);
    }

    @Override
    public boolean canVerify(String hash) {
        return SystemCryptVerifier.INSTANCE.canVerify(hash);
    }
}
