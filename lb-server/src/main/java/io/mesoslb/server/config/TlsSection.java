package io.mesoslb.server.config;

import io.mesoslb.server.tls.TlsCertificate;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The TLS listener: its port and the certificates it serves by SNI. */
final class TlsSection {
    @Option(names = "--https-port", paramLabel = "<port>", description = "TLS listener port, 0 for an ephemeral one; "
            + "only with tls-certificates (default: ${DEFAULT-VALUE})")
    Integer httpsPort = 8443;

    @Option(names = "--tls-certificates", split = ";", paramLabel = "<cert.pem:key.pem[:host,host...]>",
            converter = TlsCertificateEntry.Converter.class, description = "PEM certificate chain and PKCS#8 key per "
            + "SNI host name (*.example.com allowed), entries separated by ';'; the first is the default. In a config "
            + "file: a list of {cert, key, hosts} (default: none: no TLS listener)")
    List<TlsCertificateEntry> tlsCertificates = new ArrayList<>();

    /** The validated settings; no certificates: no TLS listener. */
    record Tls(int httpsPort, List<TlsCertificate> certificates) {
    }

    Tls validate(ConfigProblems p) {
        int port = p.range("https-port", httpsPort, 0, 65_535);
        List<TlsCertificate> certs = new ArrayList<>();
        for (TlsCertificateEntry t : tlsCertificates) {
            TlsCertificate c = t == null ? null : t.validate(p);
            if (c != null) {
                certs.add(c);
            }
        }
        return new Tls(port, List.copyOf(certs));
    }
}
