package io.mesoslb.core;

import java.util.regex.Pattern;

/**
 * The crypt(3) family of a password hash, told by its prefix, as a route's basic-auth user carries
 * it (HAProxy's {@code userlist} form). Only the form is read; whether this process
 * can verify the family is the verifier's business. {@link #UNKNOWN} (a typo, a locked-account marker
 * such as {@code !} or {@code *}, an empty string) is what a route must fail closed on.
 */
public enum CryptFamily {
    SHA512("SHA-512-crypt ($6$)", "$6$"),
    SHA256("SHA-256-crypt ($5$)", "$5$"),
    MD5("MD5-crypt ($1$)", "$1$"),
    BCRYPT("bcrypt ($2a$/$2b$/$2x$/$2y$)", "$2a$", "$2b$", "$2x$", "$2y$"),
    YESCRYPT("yescrypt ($y$)", "$y$"),
    GOST_YESCRYPT("GOST yescrypt ($gy$)", "$gy$"),
    SCRYPT("scrypt ($7$)", "$7$"),
    SHA1("SHA-1-crypt ($sha1$)", "$sha1$"),
    // Sun's form is "$md5$" or "$md5,rounds=N$".
    SUN_MD5("SunMD5 ($md5)", "$md5$", "$md5,"),
    NT("NT hash ($3$)", "$3$"),
    BSDI_DES("BSDi extended DES (_)"),
    DES("traditional DES"),
    UNKNOWN("unknown");

    /** DES hashes have no prefix: two salt characters and eleven of hash, all from crypt's alphabet. */
    private static final Pattern DES_FORM = Pattern.compile("[./0-9A-Za-z]{13}");
    private static final Pattern BSDI_FORM = Pattern.compile("_[./0-9A-Za-z]{19}");

    private final String displayName;
    private final String[] prefixes;

    CryptFamily(String displayName, String... prefixes) {
        this.displayName = displayName;
        this.prefixes = prefixes;
    }

    /** A name fit for an error message, e.g. {@code "yescrypt ($y$)"}; never the hash itself. */
    public String displayName() {
        return displayName;
    }

    public static CryptFamily of(String hash) {
        if (hash == null || hash.isEmpty()) {
            return UNKNOWN;
        }
        if (hash.charAt(0) != '$') {
            if (DES_FORM.matcher(hash).matches()) {
                return DES;
            }
            return BSDI_FORM.matcher(hash).matches() ? BSDI_DES : UNKNOWN;
        }
        for (CryptFamily family : values()) {
            for (String prefix : family.prefixes) {
                if (hash.startsWith(prefix)) {
                    return family;
                }
            }
        }
        return UNKNOWN;
    }
}
