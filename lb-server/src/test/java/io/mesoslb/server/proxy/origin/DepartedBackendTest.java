package io.mesoslb.server.proxy.origin;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.Backend;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.TestOrigin;
import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.H2cBackend;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A backend that left the table while an exchange that chose it from the table it read still runs: the exchange
 * connects to it after the pools forgot it (a replay from that older route), and still ends as before; the pools
 * keep nothing for it afterwards, on HTTP/1.1 as on h2c.
 */
class DepartedBackendTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String APP = "/app";
    private static final String HOST = "app.test.local";
    private static final String GET_HOLD = "GET /hold HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n";

    @RegisterExtension
    final Closer closer = new Closer();

    /** Tasks sort by id, and a fresh route's rotation starts at its first: "a.1" is tried first. */
    private static Backend task(int port, String taskId) {
        return new Backend("127.0.0.1", port, taskId, APP);
    }

    private static int entries(ProxyFixture proxy, Backend b) {
        try {
            return proxy.server.pools().entriesFor(b).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aReplayToABackendThatLeftMeanwhileIsAnsweredAndLeavesNoEntryInThePool() throws Exception {
        TestOrigin first = closer.use(TestOrigin.silent());
        TestOrigin second = closer.use(TestOrigin.marker("second"));
        Backend a = task(first.port(), "a.1");
        Backend b = task(second.port(), "b.2");
        ProxyFixture proxy = closer.use(new ProxyFixture(c -> c.outlierConsecutiveFailures(0))).app(APP, a, b);
        RawHttp client = closer.use(new RawHttp(proxy.port()));

        client.send(GET_HOLD);
        Await.until(WAIT, () -> first.requests.get() == 1, "the first backend has the request");
        proxy.app(APP, a);
        // Asked on every loop after the table change's own task there: the pools have forgotten b.
        assertThat(entries(proxy, b)).isZero();
        // Unanswered: the GET goes again, to b, from the route the exchange read.
        first.channels.forEach(Channel::close);

        RawHttp.Response r = client.read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("second");
        assertThat(second.requests.get()).isEqualTo(1);
        Await.until(WAIT, () -> second.channels.stream().noneMatch(Channel::isActive),
                "the connection to the departed backend closed after its exchange");
        Await.until(WAIT, () -> entries(proxy, b) == 0, () -> "entries kept for " + b + ": " + entries(proxy, b));
    }

    @Test
    void anH2cReplayToABackendThatLeftMeanwhileIsAnsweredAndLeavesNoEntryInThePool() throws Exception {
        H2cBackend first = closer.use(H2cBackend.start("a.1"));
        H2cBackend second = closer.use(H2cBackend.start("b.2"));
        Backend a = task(first.port(), "a.1");
        Backend b = task(second.port(), "b.2");
        Map<String, String> h2c = Map.of("MESOS_LB_PROTO", "h2c");
        ProxyFixture proxy = closer.use(new ProxyFixture(c -> c.outlierConsecutiveFailures(0))).app(APP, h2c, a, b);
        RawHttp client = closer.use(new RawHttp(proxy.port()));

        client.send(GET_HOLD);
        Await.until(WAIT, () -> first.held() == 1, "the first backend holds the request");
        proxy.app(APP, h2c, a);
        assertThat(entries(proxy, b)).isZero();
        first.stop();
        Await.until(WAIT, () -> second.held() == 1, "the request went again, to the departed backend");
        second.releaseHeld();

        assertThat(client.read().status()).isEqualTo(200);
        Await.until(WAIT, () -> second.openConnections() == 0,
                "the connection to the departed backend closed after its stream");
        Await.until(WAIT, () -> entries(proxy, b) == 0, () -> "entries kept for " + b + ": " + entries(proxy, b));
    }
}
