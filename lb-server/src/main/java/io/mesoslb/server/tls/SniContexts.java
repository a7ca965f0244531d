package io.mesoslb.server.tls;

import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * The server certificates of the TLS listener, chosen per connection by the SNI name the client
 * sends; clients that send none, or a name no certificate lists, get the first certificate.
 *
 * <p>The configured certificates are fixed; routes' own certificates ({@link #serveRouteCertificates})
 * change with the routing table. Handshakes read the current name mapping with one volatile read;
 * a change builds a whole new mapping and swaps it in.
 */
public final class SniContexts {
    private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private final AlpnOffer offer;
    private final SslContext defaultContext;
    /** The configured certificates' names, in configuration order. */
    private final Map<String, SslContext> configured;
    private volatile Mapping<String, SslContext> mapping;
    /** Reads whichever mapping is current at each handshake; one instance for every handler. */
    private final Mapping<String, SslContext> live = host -> mapping.map(host);

    private SniContexts(AlpnOffer offer, SslContext defaultContext, Map<String, SslContext> configured) {
        this.offer = offer;
        this.defaultContext = defaultContext;
        this.configured = configured;
        this.mapping = build(Map.of());
    }

    /**
     * Loads every certificate and key now, so that a bad file stops startup instead of failing
     * handshakes.
     *
     * @param offer what every context offers in ALPN
     * @throws IllegalArgumentException naming the file that cannot be used
     */
    public static SniContexts load(List<TlsCertificate> certificates, AlpnOffer offer) {
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no TLS certificates");
        }
        SslContext first = null;
        Map<String, SslContext> configured = new LinkedHashMap<>();
        for (TlsCertificate c : certificates) {
            SslContext context = context(c, offer);
            first = first == null ? context : first;
            for (String host : c.hosts()) {
                configured.putIfAbsent(host, context);
            }
        }
        return new SniContexts(offer, first, configured);
    }

    /**
     * Serves these certificates for these host names from the next handshake on, in place of the
     * previous routes' ones. A name the configuration lists keeps the configured certificate (the
     * operator's word over an app's label); a route's exact name beats a configured wildcard.
     */
    public void serveRouteCertificates(Map<String, SslContext> byHost) {
        mapping = build(byHost);
    }

    private Mapping<String, SslContext> build(Map<String, SslContext> routes) {
        DomainWildcardMappingBuilder<SslContext> builder = new DomainWildcardMappingBuilder<>(defaultContext);
        for (Map.Entry<String, SslContext> e : routes.entrySet()) {
            builder.add(e.getKey(), e.getValue());
        }
        // Added last: the builder keeps the last context given for a name.
        for (Map.Entry<String, SslContext> e : configured.entrySet()) {
            builder.add(e.getKey(), e.getValue());
        }
        return builder.build();
    }

    /** What the listener offers in ALPN, which routes' own contexts offer too. */
    AlpnOffer offer() {
        return offer;
    }

    /** True when a client may negotiate HTTP/2. */
    public boolean offersH2() {
        return offer == AlpnOffer.H2_AND_HTTP1;
    }

    private static SslContext context(TlsCertificate c, AlpnOffer offer) {
        try {
            return offer.build(SslContextBuilder.forServer(c.cert().toFile(), c.key().toFile()));
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use certificate " + c.cert() + " with key " + c.key()
                    + " (the key must be PEM PKCS#8, 'BEGIN PRIVATE KEY'): " + e.getMessage(), e);
        }
    }

    /** A handler for a new connection: it reads the ClientHello and puts the matching SslHandler in its place. */
    public SniHandler newHandler() {
        return new SniHandler(live, HANDSHAKE_TIMEOUT_MILLIS);
    }
}
