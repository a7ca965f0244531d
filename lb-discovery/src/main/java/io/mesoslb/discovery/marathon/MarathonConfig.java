package io.mesoslb.discovery.marathon;

import io.mesoslb.discovery.UrlCredentials;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to reach Marathon and how patiently. Build with {@link #builder(List)}; every duration has a
 * default suited to production (REFERENCE.md sections 4 and 8).
 *
 * <p>Credentials in a URL ({@code http://user:secret@host}) are basic auth, as for curl; the URLs
 * are kept without them, so that whatever prints a URL prints no secret.
 */
public final class MarathonConfig {
    /** How a token is presented: DC/OS Admin Router wants {@code token=<t>}, others {@code Bearer <t>}. */
    public enum TokenScheme { DCOS, BEARER }

    private final List<URI> urls;
    private final String username;
    private final String password;
    private final String token;
    private final TokenScheme tokenScheme;
    private final Path truststore;
    private final String truststorePassword;
    private final String truststoreType;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final Duration readIdleTimeout;
    private final Duration resyncInterval;
    private final Duration coalesce;
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final Duration stableAfter;
    private final int maxRedirects;
    private final List<String> eventTypes;

    private MarathonConfig(Builder b) {
        if (b.urls.isEmpty()) {
            throw new IllegalArgumentException("at least one Marathon URL is needed");
        }
        List<URI> normalised = new ArrayList<>(b.urls.size());
        for (URI url : b.urls) {
            String scheme = url.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || url.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL with a host: " + UrlCredentials.redact(url.toString()));
            }
            normalised.add(withoutTrailingSlash(UrlCredentials.strip(url)));
        }
        this.urls = List.copyOf(normalised);
        UrlCredentials inUrls = UrlCredentials.common(b.urls);
        if (inUrls != null && b.token != null) {
            throw new IllegalArgumentException("a Marathon URL carries credentials and a token is set: use one");
        }
        if (inUrls != null && b.username != null && !inUrls.matches(b.username, b.password)) {
            throw new IllegalArgumentException("the credentials in a Marathon URL differ from basicAuth(...)");
        }
        this.username = inUrls != null ? inUrls.user() : b.username;
        this.password = inUrls != null ? inUrls.password() : b.password;
        this.token = b.token;
        this.tokenScheme = b.tokenScheme;
        this.truststore = b.truststore;
        this.truststorePassword = b.truststorePassword;
        this.truststoreType = b.truststoreType;
        this.connectTimeout = positive(b.connectTimeout, "connectTimeout");
        this.requestTimeout = positive(b.requestTimeout, "requestTimeout");
        this.readIdleTimeout = positive(b.readIdleTimeout, "readIdleTimeout");
        this.resyncInterval = positive(b.resyncInterval, "resyncInterval");
        this.coalesce = Objects.requireNonNull(b.coalesce, "coalesce");
        this.backoffBase = positive(b.backoffBase, "backoffBase");
        this.backoffMax = positive(b.backoffMax, "backoffMax");
        this.stableAfter = Objects.requireNonNull(b.stableAfter, "stableAfter");
        this.maxRedirects = b.maxRedirects;
        this.eventTypes = List.copyOf(b.eventTypes);
        if (username != null && token != null) {
            throw new IllegalArgumentException("use basic auth or a token, not both");
        }
        if (coalesce.isNegative() || backoffMax.compareTo(backoffBase) < 0 || maxRedirects < 0) {
            throw new IllegalArgumentException("coalesce >= 0, backoffMax >= backoffBase and maxRedirects >= 0");
        }
    }

    public static Builder builder(List<URI> urls) {
        return new Builder(urls);
    }

    public List<URI> urls() {
        return urls;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    public String token() {
        return token;
    }

    public TokenScheme tokenScheme() {
        return tokenScheme;
    }

    public Path truststore() {
        return truststore;
    }

    public String truststorePassword() {
        return truststorePassword;
    }

    public String truststoreType() {
        return truststoreType;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public Duration readIdleTimeout() {
        return readIdleTimeout;
    }

    public Duration resyncInterval() {
        return resyncInterval;
    }

    public Duration coalesce() {
        return coalesce;
    }

    public Duration backoffBase() {
        return backoffBase;
    }

    public Duration backoffMax() {
        return backoffMax;
    }

    public Duration stableAfter() {
        return stableAfter;
    }

    public int maxRedirects() {
        return maxRedirects;
    }

    public List<String> eventTypes() {
        return eventTypes;
    }

    @Override
    public String toString() {
        // Never print credentials.
        return "MarathonConfig" + urls + (username != null ? " basic-auth" : "") + (token != null ? " token" : "")
                + (truststore != null ? " truststore=" + truststore : "");
    }

    private static Duration positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
        return d;
    }

    private static URI withoutTrailingSlash(URI url) {
        String s = url.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return URI.create(s);
    }

    public static final class Builder {
        private final List<URI> urls;
        private String username;
        private String password;
        private String token;
        private TokenScheme tokenScheme = TokenScheme.DCOS;
        private Path truststore;
        private String truststorePassword;
        private String truststoreType = "PKCS12";
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration readIdleTimeout = Duration.ofSeconds(30);
        private Duration resyncInterval = Duration.ofSeconds(300);
        private Duration coalesce = Duration.ofMillis(5);
        private Duration backoffBase = Duration.ofMillis(500);
        private Duration backoffMax = Duration.ofSeconds(30);
        private Duration stableAfter = Duration.ofSeconds(30);
        private int maxRedirects = 2;
        private List<String> eventTypes = MarathonEvents.ROUTING_TYPES;

        private Builder(List<URI> urls) {
            this.urls = List.copyOf(urls);
        }

        /** HTTP basic auth ({@code --http_credentials}). */
        public Builder basicAuth(String user, String pass) {
            this.username = Objects.requireNonNull(user, "user");
            this.password = Objects.requireNonNull(pass, "pass");
            return this;
        }

        public Builder token(String value, TokenScheme scheme) {
            this.token = Objects.requireNonNull(value, "token");
            this.tokenScheme = Objects.requireNonNull(scheme, "scheme");
            return this;
        }

        /** Trust these CAs instead of the JDK's default trust store. */
        public Builder truststore(Path path, String storePassword, String type) {
            this.truststore = Objects.requireNonNull(path, "path");
            this.truststorePassword = storePassword;
            this.truststoreType = type == null ? "PKCS12" : type;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = d;
            return this;
        }

        /** Limit on a whole REST call (snapshot, app re-fetch), and on the event stream's response headers. */
        public Builder requestTimeout(Duration d) {
            this.requestTimeout = d;
            return this;
        }

        /** Silence after which the event stream counts as dead; Marathon sends a heartbeat every 10 s. */
        public Builder readIdleTimeout(Duration d) {
            this.readIdleTimeout = d;
            return this;
        }

        /** Full snapshot this often even when events flow, in case one was lost. */
        public Builder resyncInterval(Duration d) {
            this.resyncInterval = d;
            return this;
        }

        /**
         * The least time between two table updates made by events: a change after a quiet spell is published
         * at once, the changes within this time of that publication together at its end.
         */
        public Builder coalesce(Duration d) {
            this.coalesce = d;
            return this;
        }

        /** Reconnect delays grow from {@code base} to {@code max}, with jitter. */
        public Builder backoff(Duration base, Duration max) {
            this.backoffBase = base;
            this.backoffMax = max;
            return this;
        }

        /** A stream that lived this long was healthy: the next reconnect starts again from the base delay. */
        public Builder stableAfter(Duration d) {
            this.stableAfter = d;
            return this;
        }

        public Builder maxRedirects(int n) {
            this.maxRedirects = n;
            return this;
        }

        public Builder eventTypes(List<String> types) {
            this.eventTypes = List.copyOf(types);
            return this;
        }

        public MarathonConfig build() {
            return new MarathonConfig(this);
        }
    }
}
