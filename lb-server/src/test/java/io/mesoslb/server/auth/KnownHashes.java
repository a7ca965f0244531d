package io.mesoslb.server.auth;

import io.mesoslb.core.CryptFamily;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Hashes of {@link #PASSWORD} made by system tools on Debian 12 when the tests were written, so the
 * tests check against what users paste into labels, without the tools at run time.
 */
public final class KnownHashes {
    public static final String PASSWORD = "s3cret-Pa55";
    /** Wrong in its first character: DES reads only eight. */
    public static final String WRONG_PASSWORD = "S3cret-Pa55";

    static final String SHA512 =
            "$6$/xi0j5cdPLoHel79$6lXoXkYJswONNnilGxz2rm13ubvzM0.I6mAv37QnRWvhb3vWl/1uRn7r818zHJFTDZVkdTjK0oIau113pKT4t1";
    static final String YESCRYPT =
            "$y$j9T$ETTUS.H0Buj45250CIFQW/$CWipJpSiQD7qZfxprHiBFriz0Bcr5xr/V4BzKMKdXj/";
    static final String BCRYPT =
            "$2y$05$xI.M/Fj6mjGjGxkY.nCBm.bqWwgt1.RX4WWUTIYMBWXXlcrb44uNe";
    public static final String MD5 = "$1$IV0iLa9O$9isG8ZLsiLCFpGXQ1NdxB/";

    /** At least one per family, each checked to match by libxcrypt 4.4.33. */
    static final Map<String, CryptFamily> OF_PASSWORD = Map.ofEntries(
            // openssl passwd -6 / -5 / -1
            Map.entry(SHA512, CryptFamily.SHA512),
            // mkpasswd -m sha512crypt -R 10000: the rounds= form
            Map.entry("$6$rounds=10000$aBL2d4Be443WvQRZ$WerGgklhD55NcDaHj3GWZEQ4729Gu0wkRgQp7kTkvFtXYPFbAHcDfW5mdwjobFzLhdM.jKZm/.5hxxRXzGQKJ1",
                    CryptFamily.SHA512),
            Map.entry("$5$qKXiZAiAKmEt2x7G$TlzeHrGqTuk2.3K.wsY2ld7BEIhGcp1GDQxG1PBfVo7", CryptFamily.SHA256),
            Map.entry(MD5, CryptFamily.MD5),
            // htpasswd -nbB (apache2-utils): $2y$
            Map.entry(BCRYPT, CryptFamily.BCRYPT),
            // mkpasswd -m bcrypt -R 5 / -m bcrypt-a -R 5 (whois)
            Map.entry("$2b$05$QEQpMdlCH3kL2yOiNiGL9eJH1T2eIZP.J4eKg6iN2bgNCynNYFpba", CryptFamily.BCRYPT),
            Map.entry("$2a$05$hTZFp.Of927prWwct3CiUOxowxnV1mk9/ICdfOMJELYNoHkL6mPc.", CryptFamily.BCRYPT),
            // mkpasswd -m yescrypt / gost-yescrypt / scrypt
            Map.entry(YESCRYPT, CryptFamily.YESCRYPT),
            Map.entry("$gy$j9T$6rbp2Z/HtTTEtd4XpB3CP.$v5nLI/eWQkldFM1d4iTEdsc/6l/q/9SlQbJaodaOwY6",
                    CryptFamily.GOST_YESCRYPT),
            Map.entry("$7$CU..../....lHf2Jll3gKWW3LWStFGkz1$gOInl.nTL0d6togrzYcznJeuQk0R1zdxloLRsus3a88",
                    CryptFamily.SCRYPT),
            // python3-passlib's sha1_crypt (rounds 40000): mkpasswd has no SHA-1-crypt
            Map.entry("$sha1$40000$l2ptj4ef$Qe2bHrKu2iLkrkfFbifbz3vJQGMN", CryptFamily.SHA1),
            // mkpasswd -m sunmd5 / nt / bsdicrypt / descrypt: legacy, still what crypt(3) accepts
            Map.entry("$md5,rounds=73059$CAymyhVi$$1CZoRAc0H/t6hczgoIkfT/", CryptFamily.SUN_MD5),
            Map.entry("$3$$855271c10d4e1dd825e1fbe12acbf6d5", CryptFamily.NT),
            Map.entry("_J9..uT7kjZipuyGuIa2", CryptFamily.BSDI_DES),
            Map.entry("A6v8Tf4KZFggg", CryptFamily.DES));

    /** mkpasswd -m yescrypt 'pässwörd', typed in a UTF-8 terminal: the bytes crypt(3) saw were UTF-8. */
    static final String YESCRYPT_OF_UTF8 = "$y$j9T$Cr5eKSjHXl7qfASiqPw0L0$jtzN01aQknZ4YtNXk7ia4YhArWby9a4anJFzu3WFGf2";
    static final String UTF8_PASSWORD = "p\u00e4ssw\u00f6rd";

    /** openssl passwd -6 'pa:ss': a password may hold colons; only the user may not. */
    static final String SHA512_OF_COLON_PASSWORD =
            "$6$zHFd25JvmhEuL.ak$umCjIoWvqPngWt0SQs1rYbwSiAvxsnwiCBkzldkqxPWWbf76eWPklClP1oovr1RTGQi.iGgyFYzTX5D3vj9ck/";

    private KnownHashes() {
    }

    static byte[] bytes(String password) {
        return password.getBytes(StandardCharsets.UTF_8);
    }
}
