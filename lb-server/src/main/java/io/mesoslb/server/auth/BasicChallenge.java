package io.mesoslb.server.auth;

/** The {@code WWW-Authenticate} value of a 401 from a basic-auth route. */
public final class BasicChallenge {
    private BasicChallenge() {
    }

    /**
     * {@code Basic realm="...", charset="UTF-8"}. The realm comes from an app's label, so it is made a
     * safe quoted-string: quotes and backslashes escaped, control characters (a CR/LF would split the
     * header) dropped. The charset tells browsers to send non-ASCII passwords in UTF-8, the encoding
     * mkpasswd and htpasswd hashed them in (RFC 7617).
     */
    public static String headerValue(String realm) {
        StringBuilder out = new StringBuilder(realm.length() + 32).append("Basic realm=\"");
        for (int i = 0; i < realm.length(); i++) {
            char c = realm.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                continue;
            }
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append("\", charset=\"UTF-8\"").toString();
    }
}
