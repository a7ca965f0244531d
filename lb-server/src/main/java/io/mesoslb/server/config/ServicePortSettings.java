package io.mesoslb.server.config;

import io.mesoslb.server.service.PortRange;
import java.time.Duration;

/**
 * The service ports' settings, validated.
 *
 * @param enabled  whether service ports are opened at all
 * @param bindHost where they listen unless an app's label says otherwise
 * @param range    the ports apps may claim
 * @param drain    how long a closed port's connections are kept before they are closed
 */
public record ServicePortSettings(boolean enabled, String bindHost, PortRange range, Duration drain) {
}
