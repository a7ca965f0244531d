package io.mesoslb.server;

import io.mesoslb.server.testing.RawHttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.server.config.ServerConfig;
import io.mesoslb.testkit.Await;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamingTest} on NIO: where epoll is available every other test runs on it, but the NIO
 * fallback has its own read loop and its own way of reporting writability, so the backpressure
 * and timeout paths are exercised on both.
 */
class StreamingOverNioTest extends StreamingTest {
    @Override
    ServerConfig.Builder transport(ServerConfig.Builder config) {
        return config.forceNio(true);
    }

    @Test
    void theseTestsReallyRunOnNio() throws Exception {
        try (RawHttp c = new RawHttp(proxy.port())) {
            Await.until(Duration.ofSeconds(10), () -> !proxy.server.clients().isEmpty(), "the client connection accepted");
            assertThat(proxy.server.clients().iterator().next()).isInstanceOf(NioSocketChannel.class);
        }
    }
}
