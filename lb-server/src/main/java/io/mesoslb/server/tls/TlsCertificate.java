package io.mesoslb.server.tls;

import java.nio.file.Path;
import java.util.List;

/**
 * One certificate the TLS listener presents.
 *
 * @param cert  PEM certificate chain, the server's certificate first
 * @param key   PEM private key in PKCS#8 form ({@code BEGIN PRIVATE KEY})
 * @param hosts the SNI names it serves ({@code *.example.com} wildcards allowed); may be empty for
 *              the default certificate
 */
public record TlsCertificate(Path cert, Path key, List<String> hosts) {
    public TlsCertificate {
        hosts = List.copyOf(hosts);
    }
}
