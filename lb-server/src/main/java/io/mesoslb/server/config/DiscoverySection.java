package io.mesoslb.server.config;

import io.mesoslb.discovery.UrlCredentials;
import io.mesoslb.discovery.marathon.MarathonConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Where routes come from: a routes file, or Marathon and how to talk to it. Secrets (the password,
 * the token, credentials in the URLs) go into messages by key only.
 */
final class DiscoverySection {
    @Option(names = "--routes-file", paramLabel = "<path>",
            description = "routes from a file in Marathon's /v2/apps format (default: none)")
    String routesFile;

    @Option(names = "--routes-poll-interval", paramLabel = "<duration>",
            description = "how often the routes file is checked (default: ${DEFAULT-VALUE})")
    String routesPollInterval = "2s";

    @Option(names = "--marathon-urls", split = ",", paramLabel = "<url>", description = "Marathon endpoints; "
            + "http://user:password@host is sent as basic auth (the same for all) and never printed (default: none)")
    List<String> marathonUrls = new ArrayList<>();

    @Option(names = "--marathon-user", paramLabel = "<name>",
            description = "Marathon basic auth user, with marathon-password (default: none)")
    String marathonUser;

    @Option(names = "--marathon-password", paramLabel = "<secret>",
            description = "Marathon basic auth password; prefer the config file (default: none)")
    String marathonPassword;

    @Option(names = "--marathon-token", paramLabel = "<token>",
            description = "Marathon auth token instead of basic auth (default: none)")
    String marathonToken;

    @Option(names = "--marathon-token-style", paramLabel = "dcos|bearer",
            description = "dcos: 'token=<t>' (DC/OS), bearer: 'Bearer <t>' (default: ${DEFAULT-VALUE})")
    String marathonTokenStyle = "dcos";

    @Option(names = "--marathon-truststore", paramLabel = "<path>",
            description = "trust these CAs for https Marathon URLs (default: the JDK's)")
    String marathonTruststore;

    @Option(names = "--marathon-truststore-password", paramLabel = "<secret>",
            description = "truststore password (default: none)")
    String marathonTruststorePassword;

    @Option(names = "--marathon-truststore-type", paramLabel = "<type>",
            description = "truststore type (default: ${DEFAULT-VALUE})")
    String marathonTruststoreType = "PKCS12";

    @Option(names = "--marathon-read-idle-timeout", paramLabel = "<duration>",
            description = "event stream silence that counts as dead (default: ${DEFAULT-VALUE})")
    String marathonReadIdleTimeout = "30s";

    @Option(names = "--marathon-resync-interval", paramLabel = "<duration>",
            description = "full snapshot this often even when events flow (default: ${DEFAULT-VALUE})")
    String marathonResyncInterval = "5m";

    /**
     * The validated settings.
     *
     * @param marathonUrls without the credentials they were written with: they are logged, shown in
     *                     /routes and proxied to
     * @param marathon     the credentials, those from the URLs included, TLS trust and stream timing
     */
    record Discovery(Path routesFile, Duration routesPollInterval, List<URI> marathonUrls, MarathonOptions marathon) {
    }

    Discovery validate(ConfigProblems p) {
        String file = p.optional(routesFile);
        Duration poll = p.duration("routes-poll-interval", routesPollInterval, false);
        List<URI> urls = new ArrayList<>();
        for (String url : marathonUrls) {
            URI uri = p.httpUrl("marathon-urls", url);
            if (uri != null) {
                urls.add(uri);
            }
        }
        UrlCredentials inUrls = null;
        try {
            inUrls = UrlCredentials.common(urls);
        } catch (IllegalArgumentException e) {
            p.add("marathon-urls: " + e.getMessage());
        }
        urls.replaceAll(UrlCredentials::strip);
        return new Discovery(file == null ? null : Path.of(file), poll, List.copyOf(urls), marathon(p, inUrls));
    }

    /** @param inUrls the credentials written into marathon-urls, or null */
    private MarathonOptions marathon(ConfigProblems p, UrlCredentials inUrls) {
        String user = p.optional(marathonUser);
        String password = marathonPassword == null || marathonPassword.isEmpty() ? null : marathonPassword;
        String token = p.optional(marathonToken);
        if ((user == null) != (password == null)) {
            p.add("marathon-user and marathon-password go together");
        }
        if (user != null && token != null) {
            p.add("use marathon-user/marathon-password or marathon-token, not both");
        }
        if (inUrls != null && token != null) {
            p.add("marathon-urls carry credentials and marathon-token is set: use one");
        } else if (inUrls != null && user != null && password != null && !inUrls.matches(user, password)) {
            p.add("the credentials in marathon-urls differ from marathon-user/marathon-password: set them in one place");
        }
        if (inUrls != null) {
            user = inUrls.user();
            password = inUrls.password();
        }
        MarathonConfig.TokenScheme style = null;
        String styleName = marathonTokenStyle == null ? "" : marathonTokenStyle.strip();
        for (MarathonConfig.TokenScheme s : MarathonConfig.TokenScheme.values()) {
            if (s.name().equalsIgnoreCase(styleName)) {
                style = s;
            }
        }
        if (style == null) {
            p.add("marathon-token-style must be dcos or bearer, got '" + marathonTokenStyle + "'");
        }
        String truststore = p.optional(marathonTruststore);
        String storeType = p.optional(marathonTruststoreType);
        Duration readIdle = p.duration("marathon-read-idle-timeout", marathonReadIdleTimeout, false);
        Duration resync = p.duration("marathon-resync-interval", marathonResyncInterval, false);
        return new MarathonOptions(user, password, token, style, truststore == null ? null : Path.of(truststore),
                marathonTruststorePassword, storeType == null ? "PKCS12" : storeType, readIdle, resync);
    }
}
