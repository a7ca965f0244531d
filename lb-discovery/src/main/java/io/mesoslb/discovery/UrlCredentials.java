package io.mesoslb.discovery;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Basic-auth credentials written into a URL ({@code http://user:secret@host}), read as curl reads
 * them: split at the first {@code ':'}, then percent-decoded. Whoever takes them out of a URL uses
 * the URL without them, so that the URL can be logged and shown.
 *
 * <p>No message from here names a user or a password: a "user" may well be a token.
 *
 * @param user     the user, decoded
 * @param password the password, decoded
 */
public record UrlCredentials(String user, String password) {

    public UrlCredentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
    }

    /**
     * The credentials in {@code url}'s userinfo, or null when it has none.
     *
     * @throws IllegalArgumentException when the userinfo lacks a user or a password, or is badly encoded
     */
    public static UrlCredentials of(URI url) {
        String raw = url.getRawUserInfo();
        if (raw == null) {
            return null;
        }
        int colon = raw.indexOf(':');
        if (colon <= 0 || colon == raw.length() - 1) {
            throw new IllegalArgumentException(strip(url) + " carries credentials without both a user and a password;"
                    + " write http://user:password@host, with ':', '@' and '/' in them percent-encoded");
        }
        return new UrlCredentials(decode(raw.substring(0, colon), url), decode(raw.substring(colon + 1), url));
    }

    /**
     * The one set of credentials that {@code urls} carry, or null when none does. URLs without any
     * are fine: a Marathon cluster has one set of credentials for all its masters.
     *
     * @throws IllegalArgumentException when two URLs carry different credentials, or one is malformed
     */
    public static UrlCredentials common(List<URI> urls) {
        UrlCredentials found = null;
        for (URI url : urls) {
            UrlCredentials c = of(url);
            if (c != null && found != null && !c.equals(found)) {
                throw new IllegalArgumentException("the URLs carry different credentials; one set for all is supported");
            }
            found = c == null ? found : c;
        }
        return found;
    }

    /** {@code url} without its userinfo, every other part exactly as it was. */
    public static URI strip(URI url) {
        String authority = url.getRawAuthority();
        if (url.getRawUserInfo() == null || authority == null) {
            return url;
        }
        StringBuilder s = new StringBuilder(url.getScheme()).append("://")
                .append(authority, authority.lastIndexOf('@') + 1, authority.length())
                .append(url.getRawPath() == null ? "" : url.getRawPath());
        if (url.getRawQuery() != null) {
            s.append('?').append(url.getRawQuery());
        }
        if (url.getRawFragment() != null) {
            s.append('#').append(url.getRawFragment());
        }
        return URI.create(s.toString());
    }

    /**
     * Text that should be a URL, fit to print: without anything that could be userinfo. Text that
     * does not parse loses everything up to its last {@code '@'}, which may cut more than the userinfo
     * but never less (a password with a bare {@code '/'} in it makes the URL unparseable).
     */
    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        try {
            URI parsed = new URI(url);
            if (parsed.getRawAuthority() != null && parsed.getHost() != null) {
                return strip(parsed).toString();
            }
        } catch (URISyntaxException e) {
            // Printed by the rule below.
        }
        int at = url.lastIndexOf('@');
        if (at < 0) {
            return url;
        }
        int start = url.indexOf("://");
        start = start < 0 || start > at ? 0 : start + 3;
        return url.substring(0, start) + url.substring(at + 1);
    }

    /** Whether these are {@code user} and {@code password}. */
    public boolean matches(String user, String password) {
        return this.user.equals(user) && this.password.equals(password);
    }

    @Override
    public String toString() {
        return "UrlCredentials[hidden]";
    }

    private static String decode(String raw, URI url) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) != '%') {
                // A run at a time: a character outside the BMP is two chars and one code point.
                int next = raw.indexOf('%', i);
                int end = next < 0 ? raw.length() : next;
                bytes.writeBytes(raw.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end - 1;
                continue;
            }
            int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
            if (lo < 0) {
                throw new IllegalArgumentException(strip(url) + ": bad percent-encoding in its credentials");
            }
            bytes.write(hi << 4 | lo);
            i += 2;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
