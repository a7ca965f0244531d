package io.mesoslb.testkit;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;

/** Marathon's optional HTTP basic auth and DC/OS-style token auth; either accepted credential lets a request in. */
final class Auth {
    private Auth() {
    }

    static boolean allowed(HttpHeaders headers, SimulatorOptions options) {
        if (!options.authRequired()) {
            return true;
        }
        String basic = options.basicAuthorization();
        String token = options.token();
        for (String raw : headers.getAll(HttpHeaderNames.AUTHORIZATION)) {
            String value = raw.trim();
            if (basic != null && startsWithIgnoreCase(value, "Basic ")
                    && value.substring(6).trim().equals(basic.substring(6))) {
                return true;
            }
            if (token != null && (value.equals("token=" + token)
                    || startsWithIgnoreCase(value, "Bearer ") && value.substring(7).trim().equals(token))) {
                return true;
            }
        }
        return false;
    }

    static SimResponse challenge(SimulatorOptions options) {
        String challenge = options.basicUser() != null ? "basic realm=\"" + options.realm() + "\"" : "acsjwt";
        return SimResponse.json(HttpResponseStatus.UNAUTHORIZED,
                MarathonJson.message("Invalid username or password."),
                Map.of(HttpHeaderNames.WWW_AUTHENTICATE.toString(), challenge));
    }

    private static boolean startsWithIgnoreCase(String value, String prefix) {
        return value.regionMatches(true, 0, prefix, 0, prefix.length());
    }
}
