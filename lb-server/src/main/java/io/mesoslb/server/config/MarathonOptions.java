package io.mesoslb.server.config;

import io.mesoslb.discovery.marathon.MarathonConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The Marathon settings of the configuration that are not the URLs, validated.
 *
 * @param user               basic auth user, or null
 * @param password           basic auth password, or null
 * @param token              auth token, or null
 * @param tokenStyle         how the token is presented
 * @param truststore         CAs to trust for https URLs, or null for the JDK's
 * @param truststorePassword password of the truststore, or null
 * @param truststoreType     e.g. PKCS12 or JKS
 * @param readIdleTimeout    event stream silence after which it is reopened
 * @param resyncInterval     full snapshot period even while events flow
 */
public record MarathonOptions(String user, String password, String token, MarathonConfig.TokenScheme tokenStyle,
                              Path truststore, String truststorePassword, String truststoreType,
                              Duration readIdleTimeout, Duration resyncInterval) {

    /** The discovery client's configuration for these endpoints. */
    public MarathonConfig toConfig(List<URI> urls) {
        MarathonConfig.Builder b = MarathonConfig.builder(urls)
                .readIdleTimeout(readIdleTimeout)
                .resyncInterval(resyncInterval);
        if (user != null) {
            b.basicAuth(user, password);
        }
        if (token != null) {
            b.token(token, tokenStyle);
        }
        if (truststore != null) {
            b.truststore(truststore, truststorePassword, truststoreType);
        }
        return b.build();
    }

    @Override
    public String toString() {
        // A record would print the secrets.
        return "MarathonOptions[" + (user != null ? "basic auth as " + user : token != null ? "token " + tokenStyle
                : "no auth") + (truststore != null ? ", truststore " + truststore : "") + ", read idle "
                + readIdleTimeout + ", resync " + resyncInterval + "]";
    }
}
