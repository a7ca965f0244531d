package io.mesoslb.server;

import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.TestOrigin;
import io.mesoslb.server.transport.MaxConnections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mesoslb.testkit.Await;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * max-connections: at the limit new clients wait to be accepted rather than being refused; unset, the
 * limit comes from the open-file limit.
 */
class ConnectionLimitTest extends OneAppProxyTest {
    private static final String REQUEST = "GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n";

    @Test
    void clientsBeyondTheLimitWaitUntilAConnectionCloses() throws Exception {
        TestOrigin origin = use(TestOrigin.marker("x"));
        ProxyFixture proxy = use(new ProxyFixture(c -> c.maxConnections(2))).app(APP, origin);
        RawHttp first = use(new RawHttp(proxy.port()));
        RawHttp second = use(new RawHttp(proxy.port()));
        assertThat(first.send(REQUEST).read().status()).isEqualTo(200);
        assertThat(second.send(REQUEST).read().status()).isEqualTo(200);

        // The kernel completes the handshake (the accept queue), but the proxy does not take it yet.
        RawHttp third = use(new RawHttp(proxy.port()));
        third.send(REQUEST);
        third.socket().setSoTimeout(500);
        assertThatThrownBy(third::read).as("not served while two connections are open")
                .isInstanceOf(SocketTimeoutException.class);
        assertThat(proxy.server.clients().size()).isEqualTo(2);

        first.close();
        third.socket().setSoTimeout(10_000);
        RawHttp.Response r = third.read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("x");
        Await.until(Duration.ofSeconds(10), () -> proxy.server.clients().size() == 2, "first gone, third in");
    }

    @Test
    void minusOneMeansNoLimit() throws Exception {
        TestOrigin origin = use(TestOrigin.marker("x"));
        ProxyFixture proxy = use(new ProxyFixture(c -> c.maxConnections(-1))).app(APP, origin);
        for (int i = 0; i < 5; i++) {
            assertThat(use(new RawHttp(proxy.port())).send(REQUEST).read().status()).isEqualTo(200);
        }
        assertThat(proxy.server.clients().size()).isEqualTo(5);
    }

    @Test
    void leftUnsetTheLimitComesFromTheOpenFileLimitAndIsLogged() {
        Logger logger = (Logger) LoggerFactory.getLogger(LbServer.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            use(new ProxyFixture());
        } finally {
            logger.detachAppender(appender);
        }
        long files = MaxConnections.processDescriptorLimit();
        assertThat(appender.list).map(ILoggingEvent::getFormattedMessage).anySatisfy(m -> assertThat(m)
                .startsWith("at most " + MaxConnections.decide(0, files).max() + " client connections at once")
                .contains("derived from the open-file limit of " + files));
    }
}
