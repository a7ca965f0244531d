package io.mesoslb.server.http2;

import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.H2Client;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesoslb.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Shutdown with HTTP/2 clients: a GOAWAY says which streams were taken, those finish, and the
 * client's library refuses the ones it would open after, so nothing is lost.
 */
class Http2DrainTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long SIZE = 1 << 20;

    @RegisterExtension
    final Closer closer = new Closer();

    private final CompletableFuture<Void> resume = new CompletableFuture<>();

    private ProxyFixture proxy() {
        TestOrigin slow = closer.use(TestOrigin.download(SIZE, 1000, resume));
        return new ProxyFixture(b -> b.h2cPriorKnowledge(true).shutdownGrace("20s"))
                .app("/slow", slow).app("/small", closer.use(TestOrigin.marker("small")));
    }

    private static H2Client.Stream inFlight(H2Client client) throws Exception {
        H2Client.Stream s = client.open().headers(H2Client.request("GET", "slow.test.local", "/big"), true);
        assertThat(s.head.get(20, TimeUnit.SECONDS)).isEqualTo(200);
        return s;
    }

    private static Thread closing(Runnable close) {
        Thread t = new Thread(close, "closing");
        t.start();
        return t;
    }

    @Test
    void onSigtermStreamsOnTheirWayAreServedThenTheLastTakenIsNamedAndAllFinish() throws Exception {
        ProxyFixture proxy = proxy();
        H2Client client = closer.use(H2Client.priorKnowledge(proxy.port()));
        H2Client.Stream first = inFlight(client);

        // The SIGTERM sequence's close: connections between requests get a linger to send one more.
        Thread shutdown = closing(() -> proxy.server.close(Duration.ofSeconds(1)));
        Await.until(WAIT, () -> !client.goAways.isEmpty(), "a first GOAWAY");
        H2Client.GoAway warning = client.goAways.peek();
        assertThat(warning.lastStreamId()).as("refuses nothing yet").isEqualTo(Integer.MAX_VALUE);
        assertThat(warning.errorCode()).isZero();

        H2Client.Stream during = client.open().headers(H2Client.request("GET", "small.test.local", "/late"), true);
        assertThat(during.response.get(20, TimeUnit.SECONDS).body()).isEqualTo("small");

        Await.until(WAIT, () -> client.goAways.size() == 2, "the second GOAWAY");
        H2Client.GoAway last = List.copyOf(client.goAways).get(1);
        assertThat(last.lastStreamId()).isEqualTo(during.channel().stream().id());
        assertThat(last.errorCode()).isZero();
        assertThatThrownBy(() -> client.open().headers(H2Client.request("GET", "small.test.local", "/refused"), true))
                .as("the client library refuses a stream the server said it will not take")
                .hasMessageContaining("GOAWAY");

        assertThat(first.response).isNotDone();
        resume.complete(null);
        assertThat(first.response.get(20, TimeUnit.SECONDS).resetCode()).isEqualTo(-1);
        assertThat(first.bodyBytes()).isEqualTo(SIZE);
        Await.until(WAIT, () -> !client.connection().isActive(), "the connection closed once its streams ended");
        shutdown.join(WAIT.toMillis());
        assertThat(shutdown.isAlive()).isFalse();
    }

    @Test
    void withoutLingerTheFirstGoAwayNamesTheLastStreamTaken() throws Exception {
        ProxyFixture proxy = proxy();
        H2Client client = closer.use(H2Client.priorKnowledge(proxy.port()));
        H2Client.Stream first = inFlight(client);

        Thread shutdown = closing(proxy.server::close);
        Await.until(WAIT, () -> !client.goAways.isEmpty(), "a GOAWAY");
        assertThat(client.goAways.peek().lastStreamId()).isEqualTo(first.channel().stream().id());

        resume.complete(null);
        assertThat(first.response.get(20, TimeUnit.SECONDS).resetCode()).isEqualTo(-1);
        assertThat(first.bodyBytes()).isEqualTo(SIZE);
        shutdown.join(WAIT.toMillis());
        assertThat(shutdown.isAlive()).isFalse();
        assertThat(client.connection().isActive()).isFalse();
    }
}
