package io.mesoslb.server.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HAProxy's {@code crt} file: the certificate chain (server's first) and its private key in one PEM
 * file, in any order, the key as PKCS#8, PKCS#1 RSA or SEC1 EC; other blocks (EC or DH parameters)
 * are skipped.
 *
 * @param key   the private key
 * @param chain the certificates, in file order
 */
record CombinedPem(PrivateKey key, X509Certificate[] chain) {
    /**
     * A file that names itself a certificate is small; the cap keeps a label pointing at some huge
     * file from making the balancer read it.
     */
    static final long MAX_BYTES = 1 << 20;

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "RSASSA-PSS", "DSA"};

    /**
     * @throws IOException if the file cannot be read, or is no PEM file with one key and a certificate
     *     that the key belongs to (the message says which)
     */
    static CombinedPem read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(Files.exists(file) ? "not a regular file" : "no such file");
        }
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException("larger than " + MAX_BYTES + " bytes: not a certificate file");
        }
        return parse(Files.readString(file, StandardCharsets.US_ASCII));
    }

    static CombinedPem parse(String pem) throws IOException {
        List<X509Certificate> chain = new ArrayList<>();
        PrivateKey key = null;
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String type = m.group(1);
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (type) {
                case "CERTIFICATE" -> chain.add(certificate(der));
                case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY" -> {
                    if (key != null) {
                        throw new IOException("more than one private key");
                    }
                    key = key(type, der);
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IOException("the private key is encrypted (no passphrase can be given)");
                default -> {
                    // EC PARAMETERS, DH PARAMETERS: HAProxy's own extras, not needed here.
                }
            }
        }
        if (chain.isEmpty()) {
            throw new IOException("no CERTIFICATE block");
        }
        if (key == null) {
            throw new IOException("no PRIVATE KEY block (HAProxy's crt file holds the key too)");
        }
        X509Certificate[] certs = chain.toArray(X509Certificate[]::new);
        checkPair(key, certs[0]);
        return new CombinedPem(key, certs);
    }

    private static X509Certificate certificate(byte[] der) throws IOException {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new IOException("a CERTIFICATE block cannot be read: " + e.getMessage(), e);
        }
    }

    private static PrivateKey key(String type, byte[] der) throws IOException {
        byte[] pkcs8;
        try {
            pkcs8 = switch (type) {
                case "RSA PRIVATE KEY" -> Pkcs8.fromPkcs1Rsa(der);
                case "EC PRIVATE KEY" -> Pkcs8.fromSec1Ec(der);
                default -> der;
            };
        } catch (IllegalArgumentException e) {
            throw new IOException("the " + type + " block cannot be read: " + e.getMessage(), e);
        }
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (InvalidKeySpecException | NoSuchAlgorithmException e) {
                // Not this algorithm's key: try the next.
            }
        }
        throw new IOException("the " + type + " block is no RSA, EC or DSA key");
    }

    /**
     * A key that does not belong to the certificate would only show as failed handshakes; a test
     * signature finds it while the route can still fall back to the default certificate.
     */
    private static void checkPair(PrivateKey key, X509Certificate cert) throws IOException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "DSA" -> "SHA256withDSA";
            default -> null;
        };
        if (algorithm == null) {
            return;
        }
        byte[] probe = {'m', 'e', 's', 'o', 's', '-', 'l', 'b'};
        try {
            Signature sign = Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            verify.initVerify(cert.getPublicKey());
            verify.update(probe);
            if (verify.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // A key of another kind than the certificate's: the same answer.
        }
        throw new IOException("the private key does not belong to the first certificate ("
                + cert.getSubjectX500Principal().getName() + ")");
    }
}
