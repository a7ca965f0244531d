package io.mesoslb.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class CryptFamilyTest {

    // Real hashes of one password, made with openssl passwd, htpasswd and mkpasswd (Debian 12).
    @ParameterizedTest
    @CsvSource(delimiter = ' ', value = {
        "$6$/xi0j5cdPLoHel79$6lXoXkYJswONNnilGxz2rm13ubvzM0.I6mAv37QnRWvhb3vWl/1uRn7r818zHJFTDZVkdTjK0oIau113pKT4t1 SHA512",
        "$6$rounds=5000$abcdefgh$xyz SHA512",
        "$5$qKXiZAiAKmEt2x7G$TlzeHrGqTuk2.3K.wsY2ld7BEIhGcp1GDQxG1PBfVo7 SHA256",
        "$1$IV0iLa9O$9isG8ZLsiLCFpGXQ1NdxB/ MD5",
        "$2y$05$xI.M/Fj6mjGjGxkY.nCBm.bqWwgt1.RX4WWUTIYMBWXXlcrb44uNe BCRYPT",
        "$2b$05$QEQpMdlCH3kL2yOiNiGL9eJH1T2eIZP.J4eKg6iN2bgNCynNYFpba BCRYPT",
        "$2a$05$hTZFp.Of927prWwct3CiUOxowxnV1mk9/ICdfOMJELYNoHkL6mPc. BCRYPT",
        "$y$j9T$ETTUS.H0Buj45250CIFQW/$CWipJpSiQD7qZfxprHiBFriz0Bcr5xr/V4BzKMKdXj/ YESCRYPT",
        "$gy$j9T$6rbp2Z/HtTTEtd4XpB3CP.$v5nLI/eWQkldFM1d4iTEdsc/6l/q/9SlQbJaodaOwY6 GOST_YESCRYPT",
        "$7$CU..../....lHf2Jll3gKWW3LWStFGkz1$gOInl.nTL0d6togrzYcznJeuQk0R1zdxloLRsus3a88 SCRYPT",
        "$sha1$40000$abc$G.PjEvm/N7OaJrUOucfynyEJxaev SHA1",
        "$md5,rounds=73059$CAymyhVi$$1CZoRAc0H/t6hczgoIkfT/ SUN_MD5",
        "$3$$855271c10d4e1dd825e1fbe12acbf6d5 NT",
        "_J9..uT7kjZipuyGuIa2 BSDI_DES",
        "A6v8Tf4KZFggg DES",
    })
    void classifiesByPrefix(String hash, CryptFamily family) {
        assertThat(CryptFamily.of(hash)).isEqualTo(family);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"!", "*", "!$6$abc$def", "$9$abc", "$6", "$2$05$abc", "plaintext-password",
        "A6v8Tf4KZFgg", "$md5abc", " $6$abc$def"})
    void anythingElseIsUnknown(String hash) {
        assertThat(CryptFamily.of(hash)).isEqualTo(CryptFamily.UNKNOWN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"$y$j9T$ETTUS.H0Buj45250CIFQW/$CWipJpSiQD7qZfxprHiBFriz0Bcr5xr/V4BzKMKdXj/"})
    void displayNameNamesTheFamilyNotTheHash(String hash) {
        String name = CryptFamily.of(hash).displayName();
        assertThat(name).isEqualTo("yescrypt ($y$)").doesNotContain("ETTUS");
    }
}
