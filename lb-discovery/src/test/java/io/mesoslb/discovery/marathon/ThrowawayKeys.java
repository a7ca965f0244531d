package io.mesoslb.discovery.marathon;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Self-signed TLS key material for {@code 127.0.0.1}, made by the JDK's own keytool at test time, so
 * no private key is ever committed and none outlives the test's temporary directory.
 */
final class ThrowawayKeys {
    static final String PASSWORD = "changeit";
    static final String TYPE = "PKCS12";
    private static final long KEYTOOL_SECONDS = 60;

    private ThrowawayKeys() {
    }

    /** A keystore {@code dir/name.p12} holding a fresh key pair and its self-signed certificate. */
    static Path keystore(Path dir, String name) throws IOException, InterruptedException {
        Path store = dir.resolve(name + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        // The JDK's HTTP client checks the host name, and the fakes are reached as 127.0.0.1.
        Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", name, "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=" + name, "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "2", "-storetype", TYPE, "-keystore", store.toString(), "-storepass", PASSWORD,
                "-keypass", PASSWORD, "-noprompt").redirectErrorStream(true).start();
        process.getOutputStream().close(); // should it ever prompt, it reads end-of-input instead of waiting
        byte[] output;
        try (InputStream in = process.getInputStream()) {
            output = in.readAllBytes();
        }
        if (!process.waitFor(KEYTOOL_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("keytool failed: " + new String(output, StandardCharsets.UTF_8));
        }
        return store;
    }

    /** A truststore {@code dir/name.p12} that trusts exactly the certificates of these keystores. */
    static Path truststore(Path dir, String name, List<Path> trusted) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance(TYPE);
        trust.load(null, null);
        for (Path keystore : trusted) {
            KeyStore keys = load(keystore);
            for (String alias : Collections.list(keys.aliases())) {
                trust.setCertificateEntry(alias, keys.getCertificate(alias));
            }
        }
        Path store = dir.resolve(name + ".p12");
        try (OutputStream out = Files.newOutputStream(store)) {
            trust.store(out, PASSWORD.toCharArray());
        }
        return store;
    }

    /** A server context presenting the keystore's certificate. */
    static SSLContext serverContext(Path keystore) throws IOException, GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(keystore), PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    private static KeyStore load(Path keystore) throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance(TYPE);
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        return keys;
    }
}
