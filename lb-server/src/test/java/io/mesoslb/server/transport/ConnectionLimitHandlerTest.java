package io.mesoslb.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * The connection limit on an in-memory listener, where each inbound message is an accepted client:
 * accepting stops at the limit and resumes when a client leaves, on every listener it guards.
 */
class ConnectionLimitHandlerTest {
    @Test
    void acceptingStopsAtTheLimitOnEveryListenerAndResumesWhenAClientCloses() {
        ConnectionLimit limit = new ConnectionLimit(new MaxConnections(2, "test"));
        EmbeddedChannel http = new EmbeddedChannel(limit);
        EmbeddedChannel https = new EmbeddedChannel(limit);
        EmbeddedChannel first = new EmbeddedChannel();
        EmbeddedChannel second = new EmbeddedChannel();

        http.writeInbound(first);
        assertThat(http.config().isAutoRead()).isTrue();
        https.writeInbound(second);
        assertThat(http.config().isAutoRead()).as("at the limit").isFalse();
        assertThat(https.config().isAutoRead()).isFalse();
        assertThat((Channel) http.readInbound()).isSameAs(first);
        assertThat((Channel) https.readInbound()).isSameAs(second);

        // One more accepted in the same read batch goes at once.
        EmbeddedChannel third = new EmbeddedChannel();
        http.writeInbound(third);
        assertThat(third.isOpen()).isFalse();
        assertThat((Object) http.readInbound()).isNull();

        first.close();
        assertThat(http.config().isAutoRead()).as("below the limit again").isTrue();
        assertThat(https.config().isAutoRead()).isTrue();
        http.finishAndReleaseAll();
        https.finishAndReleaseAll();
        second.close();
    }
}
