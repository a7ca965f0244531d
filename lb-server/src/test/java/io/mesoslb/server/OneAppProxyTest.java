package io.mesoslb.server;

import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.OutcomeRecorder;
import io.mesoslb.server.testing.ProxyFixture;

import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Shared by tests that proxy one app ({@value #APP}, host {@value #HOST}) and watch backend outcomes. */
abstract class OneAppProxyTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final String APP = "/app";
    static final String HOST = "app.test.local";

    @RegisterExtension
    final Closer closer = new Closer();
    /** Pass to a {@code ProxyFixture} to see what the proxy reports about each backend. */
    final OutcomeRecorder recorder = new OutcomeRecorder();

    <T extends AutoCloseable> T use(T resource) {
        return closer.use(resource);
    }
}
