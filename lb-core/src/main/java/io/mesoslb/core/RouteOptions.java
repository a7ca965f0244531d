package io.mesoslb.core;

/**
 * Per-route switches and protections, as discovery resolved them.
 *
 * @param httpsOnly plain-http requests are redirected to https
 * @param sticky    a client that was served by a backend keeps it, by cookie, while it is routed and
 *                  not ejected
 * @param balance   how a backend is chosen
 * @param allowFrom the client networks allowed in (others get 403); null for everyone
 * @param auth      the user a request must authenticate as (others get 401); null for no auth
 */
public record RouteOptions(boolean httpsOnly, boolean sticky, Balance balance, CidrList allowFrom, BasicAuth auth) {
    public static final RouteOptions NONE = new RouteOptions(false, false, Balance.ROUND_ROBIN, null, null);

    public RouteOptions {
        balance = balance == null ? Balance.ROUND_ROBIN : balance;
    }

    public RouteOptions(boolean httpsOnly, boolean sticky) {
        this(httpsOnly, sticky, Balance.ROUND_ROBIN, null, null);
    }

    public static RouteOptions of(boolean httpsOnly, boolean sticky) {
        return httpsOnly || sticky ? new RouteOptions(httpsOnly, sticky) : NONE;
    }

    public RouteOptions withBalance(Balance b) {
        return new RouteOptions(httpsOnly, sticky, b, allowFrom, auth);
    }

    public RouteOptions withAllowFrom(CidrList networks) {
        return new RouteOptions(httpsOnly, sticky, balance, networks, auth);
    }

    public RouteOptions withAuth(BasicAuth a) {
        return new RouteOptions(httpsOnly, sticky, balance, allowFrom, a);
    }
}
