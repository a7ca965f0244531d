package io.mesoslb.server.auth;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies with the system's libxcrypt, the crypt(3) HAProxy itself calls, so that every family it
 * accepts (yescrypt, bcrypt, scrypt, the SHA-crypts and the legacy ones) is accepted here too.
 * {@code crypt_rn} is used because it is reentrant: each call gets its own work area.
 */
final class LibcryptVerifier implements CryptVerifier {
    private static final Logger log = LoggerFactory.getLogger(LibcryptVerifier.class);

    /** The library's soname first: the unversioned name exists only with the -dev package installed. */
    private static final String[] LIBRARY_NAMES = {"libcrypt.so.1", "crypt"};

    /** sizeof(struct crypt_data) in libxcrypt 4, which keeps it fixed for its ABI. */
    private static final int CRYPT_DATA_SIZE = 32768;

    // crypt_checksalt's answers (crypt.h); LEGACY and TOO_CHEAP still verify.
    private static final int CRYPT_SALT_OK = 0;
    private static final int CRYPT_SALT_METHOD_LEGACY = 3;
    private static final int CRYPT_SALT_TOO_CHEAP = 4;

    private final Function cryptRn;
    private final Function checkSalt;
    /** The work area is 32 KiB: one per hashing thread, wiped after each use since it holds the password. */
    private final ThreadLocal<Memory> workArea = ThreadLocal.withInitial(() -> new Memory(CRYPT_DATA_SIZE));

    private LibcryptVerifier(Function cryptRn, Function checkSalt) {
        this.cryptRn = cryptRn;
        this.checkSalt = checkSalt;
    }

    /** Empty when JNA or libxcrypt (with crypt_rn and crypt_checksalt) is not there. */
    static Optional<CryptVerifier> load() {
        for (String name : LIBRARY_NAMES) {
            try {
                NativeLibrary library = NativeLibrary.getInstance(name);
                return Optional.of(new LibcryptVerifier(
                        library.getFunction("crypt_rn"), library.getFunction("crypt_checksalt")));
            } catch (LinkageError | RuntimeException e) {
                // glibc's old libcrypt has neither function; JNA's native part may not load (noexec tmp).
                log.debug("libcrypt not usable as {}: {}", name, e.toString());
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean canVerify(String hash) {
        byte[] setting = asciiOrNull(hash);
        return setting != null && verifiableSetting(setting);
    }

    @Override
    public Verification verify(byte[] password, String hash) {
        byte[] setting = asciiOrNull(hash);
        if (setting == null || !verifiableSetting(setting)) {
            return Verification.UNVERIFIABLE;
        }
        if (Passwords.containsNul(password)) {
            // crypt(3) would stop at the NUL and hash a different password.
            return Verification.MISMATCH;
        }
        Memory data = workArea.get();
        Memory phrase = new Memory(password.length + 1L);
        try {
            phrase.write(0, password, 0, password.length);
            phrase.setByte(password.length, (byte) 0);
            data.clear();
            Pointer result = (Pointer) cryptRn.invoke(Pointer.class,
                    new Object[] {phrase, setting0(setting), data, CRYPT_DATA_SIZE});
            if (result == null) {
                return Verification.UNVERIFIABLE;
            }
            long length = result.indexOf(0, (byte) 0);
            byte[] computed = result.getByteArray(0, (int) length);
            return MessageDigest.isEqual(computed, setting) ? Verification.MATCH : Verification.MISMATCH;
        } finally {
            phrase.clear();
            phrase.close();
            data.clear();
        }
    }

    private boolean verifiableSetting(byte[] setting) {
        int answer = checkSalt.invokeInt(new Object[] {setting0(setting)});
        return answer == CRYPT_SALT_OK || answer == CRYPT_SALT_METHOD_LEGACY || answer == CRYPT_SALT_TOO_CHEAP;
    }

    /** Hashes are ASCII; anything else cannot be one, and must not be handed to C as a mangled string. */
    private static byte[] asciiOrNull(String hash) {
        if (hash == null || hash.isEmpty()) {
            return null;
        }
        for (int i = 0; i < hash.length(); i++) {
            char c = hash.charAt(i);
            if (c == 0 || c > 0x7e) {
                return null;
            }
        }
        return hash.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] setting0(byte[] setting) {
        byte[] terminated = new byte[setting.length + 1];
        System.arraycopy(setting, 0, terminated, 0, setting.length);
        return terminated;
    }
}
