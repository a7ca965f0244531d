package io.mesoslb.server.tls;

import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The server certificates of the TLS listener, chosen per connection by the SNI name the client
 * sends; clients that send none, or a name no certificate lists, get the first certificate.
 */
public final class SniContexts {
    private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private final Mapping<String, SslContext> mapping;

    private SniContexts(Mapping<String, SslContext> mapping) {
        this.mapping = mapping;
    }

    /**
     * Loads every certificate and key now, so that a bad file stops startup instead of failing
     * handshakes.
     *
     * @throws IllegalArgumentException naming the file that cannot be used
     */
    public static SniContexts load(List<TlsCertificate> certificates) {
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no TLS certificates");
        }
        DomainWildcardMappingBuilder<SslContext> builder = null;
        for (TlsCertificate c : certificates) {
            SslContext context = context(c);
            if (builder == null) {
                builder = new DomainWildcardMappingBuilder<>(context);
            }
            for (String host : c.hosts()) {
                builder.add(host, context);
            }
        }
        return new SniContexts(builder.build());
    }

    private static SslContext context(TlsCertificate c) {
        try {
            return SslContextBuilder.forServer(c.cert().toFile(), c.key().toFile()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use certificate " + c.cert() + " with key " + c.key()
                    + " (the key must be PEM PKCS#8, 'BEGIN PRIVATE KEY'): " + e.getMessage(), e);
        }
    }

    /** A handler for a new connection: it reads the ClientHello and puts the matching SslHandler in its place. */
    public SniHandler newHandler() {
        return new SniHandler(mapping, HANDSHAKE_TIMEOUT_MILLIS);
    }
}
