package io.mesoslb.server;

import io.mesoslb.server.config.ServerConfig;

/** {@link MixedTrafficTest} on the NIO fallback, whose read loop and writability events are its own. */
class MixedTrafficOverNioTest extends MixedTrafficTest {
    @Override
    ServerConfig.Builder transport(ServerConfig.Builder config) {
        return config.forceNio(true);
    }
}
