package io.mesoslb.server.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;

/**
 * What the TLS listener offers in ALPN. Every server context it serves (configured certificates and
 * routes' own) is built through here, so that a client gets the same choice whichever certificate
 * its SNI name picks.
 */
public enum AlpnOffer {
    /** No ALPN: every connection speaks HTTP/1. */
    HTTP1,
    /** {@code h2}, then {@code http/1.1}; a client that offers neither gets HTTP/1. */
    H2_AND_HTTP1;

    private static final ApplicationProtocolConfig H2_FIRST = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            // A client offering only protocols we lack gets none chosen, and HTTP/1 (the fallback).
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);

    public static AlpnOffer of(boolean h2) {
        return h2 ? H2_AND_HTTP1 : HTTP1;
    }

    SslContext build(SslContextBuilder server) throws SSLException {
        if (this == H2_AND_HTTP1) {
            server.applicationProtocolConfig(H2_FIRST);
        }
        return server.build();
    }
}
