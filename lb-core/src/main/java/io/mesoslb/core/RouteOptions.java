package io.mesoslb.core;

/**
 * Per-route switches, protections and rewrites, as discovery resolved them.
 *
 * @param httpsOnly     plain-http requests are redirected to https
 * @param sticky        a client that was served by a backend keeps it, by cookie, while it is routed and
 *                      not ejected
 * @param balance       how a backend is chosen
 * @param allowFrom     the client networks allowed in (others get 403); null for everyone
 * @param auth          the user a request must authenticate as (others get 401); null for no auth
 * @param rewrites      request and response rewrites; {@link Rewrites#NONE} for none
 * @param sslCert       the path, on the balancer's disk, of a PEM file (certificate chain and private
 *                      key) that the TLS listener serves for the route's vhosts; null for none. Kept as
 *                      data: the TLS listener reads the file, not the table
 * @param pathIgnoreCase the route's path prefixes match in any case (HAProxy's {@code path_beg -i})
 * @param protocol      what the backends speak; {@link BackendProtocol#HTTP1} by default
 */
public record RouteOptions(boolean httpsOnly, boolean sticky, Balance balance, CidrList allowFrom, BasicAuth auth,
                           Rewrites rewrites, String sslCert, boolean pathIgnoreCase, BackendProtocol protocol) {
    public static final RouteOptions NONE = new RouteOptions(false, false, Balance.ROUND_ROBIN, null, null, Rewrites.NONE);

    /**
     * What a route changes in what passes through it (marathon-lb's backend glue).
     *
     * @param hsts          responses carry {@code Strict-Transport-Security: max-age=15768000}
     * @param stripPrefix   a request target prefix replaced by {@code /} before the backend sees it, the
     *                      Host set to the route's first vhost; null for none
     * @param locationPrefix a path prefixed to the path of a {@code Location} that points at the route's
     *                      host (or at no host); null for none
     * @param rootRedirect  where a request for {@code /} is sent (301); null for none
     */
    public record Rewrites(boolean hsts, String stripPrefix, String locationPrefix, String rootRedirect) {
        public static final Rewrites NONE = new Rewrites(false, null, null, null);

        public boolean any() {
            return hsts || stripPrefix != null || locationPrefix != null || rootRedirect != null;
        }
    }

    public RouteOptions {
        balance = balance == null ? Balance.ROUND_ROBIN : balance;
        rewrites = rewrites == null ? Rewrites.NONE : rewrites;
        sslCert = sslCert == null || sslCert.isBlank() ? null : sslCert.strip();
        protocol = protocol == null ? BackendProtocol.HTTP1 : protocol;
    }

    /** Backends speaking HTTP/1.1. */
    public RouteOptions(boolean httpsOnly, boolean sticky, Balance balance, CidrList allowFrom, BasicAuth auth,
                        Rewrites rewrites, String sslCert, boolean pathIgnoreCase) {
        this(httpsOnly, sticky, balance, allowFrom, auth, rewrites, sslCert, pathIgnoreCase, BackendProtocol.HTTP1);
    }

    /** Without a certificate of the route's own. */
    public RouteOptions(boolean httpsOnly, boolean sticky, Balance balance, CidrList allowFrom, BasicAuth auth,
                        Rewrites rewrites) {
        this(httpsOnly, sticky, balance, allowFrom, auth, rewrites, null, false, BackendProtocol.HTTP1);
    }

    public RouteOptions(boolean httpsOnly, boolean sticky) {
        this(httpsOnly, sticky, Balance.ROUND_ROBIN, null, null, Rewrites.NONE);
    }

    public static RouteOptions of(boolean httpsOnly, boolean sticky) {
        return httpsOnly || sticky ? new RouteOptions(httpsOnly, sticky) : NONE;
    }

    public RouteOptions withBalance(Balance b) {
        return new RouteOptions(httpsOnly, sticky, b, allowFrom, auth, rewrites, sslCert, pathIgnoreCase, protocol);
    }

    public RouteOptions withAllowFrom(CidrList networks) {
        return new RouteOptions(httpsOnly, sticky, balance, networks, auth, rewrites, sslCert, pathIgnoreCase, protocol);
    }

    public RouteOptions withAuth(BasicAuth a) {
        return new RouteOptions(httpsOnly, sticky, balance, allowFrom, a, rewrites, sslCert, pathIgnoreCase, protocol);
    }

    public RouteOptions withRewrites(Rewrites r) {
        return new RouteOptions(httpsOnly, sticky, balance, allowFrom, auth, r, sslCert, pathIgnoreCase, protocol);
    }

    public RouteOptions withSslCert(String path) {
        return new RouteOptions(httpsOnly, sticky, balance, allowFrom, auth, rewrites, path, pathIgnoreCase, protocol);
    }

    public RouteOptions withPathIgnoreCase(boolean ignoreCase) {
        return new RouteOptions(httpsOnly, sticky, balance, allowFrom, auth, rewrites, sslCert, ignoreCase, protocol);
    }

    public RouteOptions withProtocol(BackendProtocol p) {
        return new RouteOptions(httpsOnly, sticky, balance, allowFrom, auth, rewrites, sslCert, pathIgnoreCase, p);
    }
}
