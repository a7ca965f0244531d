package io.mesoslb.server.proxy.client;

import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.testkit.Await;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** On shutdown, a keep-alive connection between requests is not cut: its next request is answered, then it closes. */
class PoliteDrainTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Closer closer = new Closer();

    private static boolean draining(Channel client) {
        ClientRequestReceiver h = client.pipeline().get(ClientRequestReceiver.class);
        try {
            return h != null && client.eventLoop().submit(h::isDraining).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anIdleKeepAliveConnectionGetsConnectionCloseOnItsNextRequest() throws Exception {
        TestOrigin origin = closer.use(TestOrigin.marker("app"));
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.shutdownGrace("20s"))).app("/a", origin);
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response first = c.send("GET / HTTP/1.1\r\nHost: a.test.local\r\n\r\n").read();
            assertThat(first.header("connection")).isNull();
            Channel client = proxy.server.clients().iterator().next();

            CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> proxy.server.close(WAIT));
            Await.until(WAIT, () -> draining(client), "drain reached the idle connection");
            assertThat(client.isActive()).as("left open for one more request").isTrue();

            RawHttp.Response last = c.send("GET / HTTP/1.1\r\nHost: a.test.local\r\n\r\n").read();
            assertThat(last.status()).isEqualTo(200);
            assertThat(last.text()).isEqualTo("app");
            assertThat(last.header("connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
            closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
