package io.mesoslb.server.testing;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** A TLS client that says which SNI name it wants, for tests of which certificate is served. */
public final class TlsClient {
    private TlsClient() {
    }

    /**
     * Handshakes with {@code sni} (none when null) and returns the connected socket. Pass a new
     * context each time: a resumed session keeps the certificate it was made with.
     */
    public static SSLSocket handshake(SSLContext context, int port, String sni) throws Exception {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        SSLParameters params = s.getSSLParameters();
        params.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        s.setSSLParameters(params);
        s.startHandshake();
        return s;
    }

    /** The subject of the certificate served for {@code sni}. */
    public static String servedSubject(SSLContext context, int port, String sni) throws Exception {
        try (SSLSocket s = handshake(context, port, sni)) {
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }
}
