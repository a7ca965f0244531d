package io.mesoslb.server.testing;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates made at test time as HAProxy's combined PEM files (certificate, then the
 * PKCS#8 key), by the JDK's own keytool: no key material in the repository, no BouncyCastle.
 */
public final class SelfSignedPem {
    private static final char[] PASSWORD = "test-only".toCharArray();

    private SelfSignedPem() {
    }

    /** A new EC P-256 certificate for {@code host} (subject {@code CN=<host>}) written to {@code file}. */
    public static Path write(Path file, String host) throws Exception {
        Path store = Files.createTempFile(file.toAbsolutePath().getParent(), "keytool", ".p12");
        Files.delete(store);
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "k", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + host, "-ext", "SAN=dns:" + host, "-validity", "3650", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD);
        }
        Files.delete(store);
        PrivateKey key = (PrivateKey) ks.getKey("k", PASSWORD);
        Certificate cert = ks.getCertificate("k");
        String pem = block("CERTIFICATE", cert.getEncoded()) + block("PRIVATE KEY", key.getEncoded());
        // Written whole and moved into place, as a careful renewal would.
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "pem", ".tmp");
        Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
        return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private static String block(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return String.join("\n", List.of("-----BEGIN " + type + "-----", body, "-----END " + type + "-----", ""));
    }
}
