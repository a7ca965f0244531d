package io.mesoslb.server.proxy.http;

import io.mesoslb.core.Backend;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import java.util.List;

/**
 * The cookie that keeps a client on one backend of a sticky route (marathon-lb's
 * {@code HAPROXY_0_STICKY}): it names the backend by its {@linkplain Backend#stickyToken() token},
 * and is set only when the backend that answered is not the one the client named.
 */
public final class StickyCookie {
    public static final String NAME = "mesos_lb_server";

    private StickyCookie() {
    }

    /** The token the request's cookies carry, or null. */
    public static String read(HttpHeaders headers) {
        List<String> cookies = headers.getAll(HttpHeaderNames.COOKIE);
        for (int c = 0; c < cookies.size(); c++) {
            String value = cookies.get(c);
            int from = 0;
            while (from < value.length()) {
                int end = value.indexOf(';', from);
                if (end < 0) {
                    end = value.length();
                }
                int start = from;
                while (start < end && value.charAt(start) == ' ') {
                    start++;
                }
                if (value.startsWith(NAME, start) && start + NAME.length() < end && value.charAt(start + NAME.length()) == '=') {
                    return value.substring(start + NAME.length() + 1, end).strip();
                }
                from = end + 1;
            }
        }
        return null;
    }

    /** Points the client at {@code served} unless its cookie ({@code requested}, "" for none) already does. */
    public static void update(HttpResponse response, Backend served, String requested) {
        String token = served.stickyToken();
        if (!token.equals(requested)) {
            response.headers().add(HttpHeaderNames.SET_COOKIE, NAME + "=" + token + "; Path=/; HttpOnly");
        }
    }
}
