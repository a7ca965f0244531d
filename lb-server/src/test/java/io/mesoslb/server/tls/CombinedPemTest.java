package io.mesoslb.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HAProxy's {@code crt} files as OpenSSL writes them (test files in src/test/resources/.../tls, see README.txt there). */
class CombinedPemTest {
    @TempDir
    Path dir;

    private static String text(String name) throws Exception {
        try (var in = CombinedPemTest.class.getResourceAsStream("/io/mesoslb/server/tls/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private Path file(String content) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "cert", ".pem"), content);
    }

    @Test
    void traditionalRsaAndEcKeysAreReadAndUsable() throws Exception {
        CombinedPem rsa = CombinedPem.read(file(text("haproxy-rsa-pkcs1.pem")));
        assertThat(rsa.key().getAlgorithm()).isEqualTo("RSA");
        assertThat(rsa.chain()[0].getSubjectX500Principal().getName()).isEqualTo("CN=pkcs1.test.local");
        SslContextBuilder.forServer(rsa.key(), rsa.chain()).build();

        CombinedPem ec = CombinedPem.read(file(text("haproxy-ec-sec1.pem")));
        assertThat(ec.key().getAlgorithm()).isEqualTo("EC");
        assertThat(ec.chain()[0].getSubjectX500Principal().getName()).isEqualTo("CN=sec1.test.local");
        SslContextBuilder.forServer(ec.key(), ec.chain()).build();
    }

    @Test
    void separateCertificateAndPkcs8KeyFilesJoinedAreRead() throws Exception {
        CombinedPem pem = CombinedPem.read(file(text("secure.crt") + text("secure.key")));
        assertThat(pem.chain()).hasSize(1);
    }

    @Test
    void unusableFilesSayWhy() throws Exception {
        assertThatThrownBy(() -> CombinedPem.read(dir.resolve("none.pem"))).hasMessage("no such file");
        assertThatThrownBy(() -> CombinedPem.read(dir)).hasMessage("not a regular file");
        assertThatThrownBy(() -> CombinedPem.read(file(text("secure.crt")))).hasMessageContaining("no PRIVATE KEY");
        assertThatThrownBy(() -> CombinedPem.read(file(text("secure.key")))).hasMessageContaining("no CERTIFICATE");
        assertThatThrownBy(() -> CombinedPem.read(file(text("default.crt") + text("secure.key"))))
                .hasMessageContaining("does not belong").hasMessageContaining("CN=default.test.local");
        assertThatThrownBy(() -> CombinedPem.read(file(text("secure.crt")
                + "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")))
                .hasMessageContaining("encrypted");
        Path big = Files.write(dir.resolve("big.pem"), new byte[(int) CombinedPem.MAX_BYTES + 1]);
        assertThatThrownBy(() -> CombinedPem.read(big)).hasMessageContaining("larger than");
    }
}
