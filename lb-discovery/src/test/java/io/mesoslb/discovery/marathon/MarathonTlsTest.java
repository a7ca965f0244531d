package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesoslb.core.Backend;
import io.mesoslb.core.BackendState;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery against a Marathon served over HTTPS with a certificate only the configured truststore trusts. */
class MarathonTlsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static final String HOST = "web.example.com";
    private static final String APPS = "{\"apps\":[{\"id\":\"/web\",\"tasks\":[{\"id\":\"web.1\",\"host\":\"h\","
            + "\"ports\":[31001],\"state\":\"TASK_RUNNING\"}]}]}";
    private static final String WEB_2_RUNNING = "{\"eventType\":\"status_update_event\",\"appId\":\"/web\","
            + "\"taskId\":\"web.2\",\"taskStatus\":\"TASK_RUNNING\",\"host\":\"h\",\"ports\":[31002],\"ipAddresses\":[]}";

    @TempDir
    static Path keys;
    private static Path marathonKeys;
    private static Path trustsMarathon;
    /** Trusts a certificate that is not the one the fake presents: an unknown CA, as far as the client can tell. */
    private static Path trustsSomeoneElse;

    private final RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"));
    /** Closed last opened first, after each test. */
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final ExecutorService pool = opened(Executors.newCachedThreadPool());
    private FakeMarathon marathon;
    private MarathonDiscovery discovery;

    @BeforeAll
    static void makeKeys() throws Exception {
        marathonKeys = ThrowawayKeys.keystore(keys, "marathon");
        trustsMarathon = ThrowawayKeys.truststore(keys, "trusts-marathon", List.of(marathonKeys));
        trustsSomeoneElse = ThrowawayKeys.truststore(keys, "trusts-someone-else",
                List.of(ThrowawayKeys.keystore(keys, "someone-else")));
    }

    @AfterEach
    void closeWhatWasOpened() throws Exception {
        while (!opened.isEmpty()) {
            opened.pop().close();
        }
    }

    @Test
    void snapshotAndEventStreamOverHttpsWithTheConfiguredTruststore() throws Exception {
        marathon = httpsMarathon();

        start(trusting(trustsMarathon));

        awaitAddresses("h:31001");
        assertThat(marathon.uri().getScheme()).isEqualTo("https");
        assertThat(discovery.state().source()).isEqualTo(marathon.uri().toString());
        assertThat(discovery.state().synced()).isTrue();
        assertThat(marathon.requests()).extracting(FakeMarathon.Request::path)
                .containsExactly("/v2/events", "/v2/apps");

        marathon.event("status_update_event", WEB_2_RUNNING);

        awaitAddresses("h:31001", "h:31002");
        assertThat(discovery.state().events()).isEqualTo(1);
        assertThat(discovery.state().connected()).isTrue();
    }

    @Test
    void certificateTheTruststoreDoesNotTrustFailsTheHandshakeAndSaysWhy() throws Exception {
        marathon = httpsMarathon();
        MarathonClient client = new MarathonClient(trusting(trustsSomeoneElse).build(), pool);

        assertThatThrownBy(() -> client.fetchApps(marathon.uri())).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("unable to find valid certification path");
        assertThatThrownBy(() -> client.openEvents(marathon.uri())).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("unable to find valid certification path");
        assertThat(marathon.requests()).as("no request gets past a failed handshake").isEmpty();

        start(trusting(trustsSomeoneElse));

        Await.until(DEADLINE, () -> discovery.state().detail().contains("SSLHandshakeException"),
                () -> "handshake failure reported: " + discovery.state());
        assertThat(discovery.state().detail()).contains(marathon.uri().toString())
                .contains("unable to find valid certification path");
        assertThat(discovery.state().synced()).isFalse();
        assertThat(discovery.state().connected()).isFalse();
        assertThat(holder.current().routes()).isEmpty();
    }

    private FakeMarathon httpsMarathon() throws Exception {
        return opened(new FakeMarathon(r -> r.path().equals("/v2/events") ? null : FakeMarathon.json(APPS),
                ThrowawayKeys.serverContext(marathonKeys)));
    }

    private MarathonConfig.Builder trusting(Path truststore) {
        return MarathonConfig.builder(List.of(marathon.uri()))
                .truststore(truststore, ThrowawayKeys.PASSWORD, ThrowawayKeys.TYPE)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(100));
    }

    private void start(MarathonConfig.Builder config) {
        discovery = opened(new MarathonDiscovery(config.build(), holder));
        discovery.start();
    }

    private <T extends AutoCloseable> T opened(T resource) {
        opened.push(resource);
        return resource;
    }

    private ExecutorService opened(ExecutorService executor) {
        opened.push(executor::shutdownNow);
        return executor;
    }

    private void awaitAddresses(String... expected) {
        List<String> want = List.of(expected);
        Await.until(DEADLINE, () -> addresses().equals(want),
                () -> want + " but routes are " + holder.current() + ", state " + discovery.state());
    }

    private List<String> addresses() {
        Route route = holder.current().lookup(HOST);
        return route == null ? List.of()
                : route.backends().stream().map(BackendState::backend).map(Backend::address).sorted().toList();
    }
}
