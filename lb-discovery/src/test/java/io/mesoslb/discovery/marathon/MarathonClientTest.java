package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.mesoslb.discovery.Fixtures;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MarathonClientTest {
    private static final String POOL = "snapshot-pool-";
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> new Thread(r, POOL + r.hashCode()));
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        pool.shutdownNow();
    }

    @Test
    void eventStreamRequestCarriesExactlyOneAcceptHeaderAndTheFilters() throws Exception {
        FakeMarathon marathon = fake(r -> null);

        EventStream stream = client(MarathonConfig.builder(List.of(marathon.uri()))).openEvents(marathon.uri());
        closeables.add(stream);

        FakeMarathon.Request request = marathon.requests().get(0);
        assertThat(request.path()).isEqualTo("/v2/events");
        assertThat(request.header("accept")).containsExactly("text/event-stream");
        assertThat(request.header("authorization")).isEmpty();
        assertThat(request.target()).contains("plan-format=light");
        for (String type : MarathonEvents.ROUTING_TYPES) {
            assertThat(request.target()).contains("event_type=" + type);
        }
        assertThat(stream.base()).isEqualTo(marathon.uri());
    }

    @Test
    void standbyRedirectIsFollowedWithTheCredentials() throws Exception {
        FakeMarathon leader = fake(r -> r.header("authorization").equals(List.of("Basic dTpw"))
                ? null : FakeMarathon.response(401, "text/plain", "who are you"));
        FakeMarathon standby = fake(r -> FakeMarathon.redirect(leader.uri() + r.target()));

        EventStream stream = client(MarathonConfig.builder(List.of(standby.uri())).basicAuth("u", "p"))
                .openEvents(standby.uri());
        closeables.add(stream);

        assertThat(stream.base()).isEqualTo(leader.uri());
        assertThat(standby.requests().get(0).header("authorization")).containsExactly("Basic dTpw");
        FakeMarathon.Request atLeader = leader.requests().get(0);
        assertThat(atLeader.header("authorization")).containsExactly("Basic dTpw");
        assertThat(atLeader.target()).isEqualTo(standby.requests().get(0).target());
    }

    @Test
    void userinfoMarathonSendsBackIsNeitherInTheStreamNorInErrors() throws Exception {
        FakeMarathon leader = fake(r -> r.path().equals("/v2/events")
                ? FakeMarathon.stream("X-Marathon-Leader: http://u:s3cret@10.0.0.9:8080")
                : FakeMarathon.response(503, "text/plain", "no leader"));
        String withUserinfo = "http://u:s3cret@127.0.0.1:" + leader.uri().getPort();
        FakeMarathon standby = fake(r -> FakeMarathon.redirect(withUserinfo + r.target()));
        MarathonClient client = client(MarathonConfig.builder(List.of(standby.uri())));

        EventStream stream = client.openEvents(standby.uri());
        closeables.add(stream);

        assertThat(stream.base()).isEqualTo(leader.uri());
        assertThat(stream.leader()).isEqualTo("http://10.0.0.9:8080");
        assertThatThrownBy(() -> client.fetchApps(standby.uri()))
                .isInstanceOf(MarathonClient.StatusException.class)
                .hasMessageContaining("GET " + leader.uri() + "/v2/apps answered 503")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void leaderHeaderServesWhenARedirectHasNoLocation() throws Exception {
        FakeMarathon leader = fake(r -> null);
        FakeMarathon standby = fake(r -> "HTTP/1.1 302 Found\r\nX-Marathon-Leader: " + leader.uri()
                + "\r\nContent-Length: 0\r\n\r\n");

        EventStream stream = client(MarathonConfig.builder(List.of(standby.uri()))).openEvents(standby.uri());
        closeables.add(stream);

        assertThat(stream.base()).isEqualTo(leader.uri());
    }

    @Test
    void credentialsNeverFollowARedirectDownToHttpOrElsewhere() {
        URI https = URI.create("https://m1:8443/v2/apps");
        assertThat(MarathonClient.refusedRedirect(https, URI.create("http://m2:8080/v2/apps"), true))
                .contains("https to http");
        assertThat(MarathonClient.refusedRedirect(https, URI.create("http://m2:8080/v2/apps"), false)).isNull();
        assertThat(MarathonClient.refusedRedirect(https, URI.create("https://m2:8443/v2/apps"), true)).isNull();
        assertThat(MarathonClient.refusedRedirect(URI.create("http://m1:8080/x"), URI.create("http://m2:8080/x"), true))
                .isNull();
        assertThat(MarathonClient.refusedRedirect(https, URI.create("ftp://m2/x"), false)).contains("ftp");
    }

    @Test
    void redirectLoopsEndAfterTheConfiguredHops() throws Exception {
        FakeMarathon loop = fake(r -> FakeMarathon.redirect(r.target()));
        MarathonClient client = client(MarathonConfig.builder(List.of(loop.uri())).maxRedirects(2));

        assertThatThrownBy(() -> client.openEvents(loop.uri()))
                .isInstanceOf(MarathonClient.StatusException.class).hasMessageContaining("302");
        assertThat(loop.requests()).hasSize(3);
    }

    @Test
    void tokensArePresentedInTheConfiguredScheme() throws Exception {
        FakeMarathon marathon = fake(r -> FakeMarathon.json("{\"apps\":[]}"));

        client(MarathonConfig.builder(List.of(marathon.uri())).token("abc", MarathonConfig.TokenScheme.DCOS))
                .fetchApps(marathon.uri());
        client(MarathonConfig.builder(List.of(marathon.uri())).token("abc", MarathonConfig.TokenScheme.BEARER))
                .fetchApps(marathon.uri());

        assertThat(marathon.requests()).extracting(r -> r.header("authorization"))
                .containsExactly(List.of("token=abc"), List.of("Bearer abc"));
    }

    @Test
    void snapshotAndAppFetch() throws Exception {
        FakeMarathon marathon = fake(r -> switch (r.target()) {
            case "/v2/apps?embed=apps.tasks" -> FakeMarathon.json(Fixtures.text("apps-embed-tasks.json"));
            case "/v2/apps/team/api?embed=app.tasks" -> FakeMarathon.json("{\"app\":{\"id\":\"/team/api\"}}");
            case "/v2/apps/broken?embed=app.tasks" -> FakeMarathon.response(503, "text/plain", "no leader");
            default -> FakeMarathon.response(404, "application/json", "{\"message\":\"App does not exist\"}");
        });
        MarathonClient client = client(MarathonConfig.builder(List.of(marathon.uri())));

        assertThat(client.fetchApps(marathon.uri())).extracting(MarathonApp::id)
                .containsExactly("/pywebserver", "/nginx-green");
        assertThat(client.fetchApp(marathon.uri(), "/team/api")).map(MarathonApp::id).contains("/team/api");
        assertThat(client.fetchApp(marathon.uri(), "/gone")).isEmpty();
        assertThatThrownBy(() -> client.fetchApp(marathon.uri(), "/broken"))
                .isInstanceOf(MarathonClient.StatusException.class).hasMessageContaining("503").hasMessageContaining("no leader");
        assertThat(marathon.requests().get(0).header("accept")).containsExactly("application/json");
    }

    @Test
    void requestTimeoutBoundsTheHeadersNotTheLifeOfTheStream() throws Exception {
        FakeMarathon marathon = fake(r -> null);
        Received received = new Received();
        delivering(marathon, MarathonConfig.builder(List.of(marathon.uri())).requestTimeout(Duration.ofSeconds(1)),
                received);
        ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
        closeables.add(later::shutdownNow);

        // Well past the request timeout, with margin enough for a loaded CI machine to send the headers in time.
        later.schedule(() -> marathon.event("app_terminated_event", "{}"), 2500, TimeUnit.MILLISECONDS);

        assertThat(received.next()).extracting(SseEvent::type).containsExactly("app_terminated_event");
    }

    @Test
    void eachChunkIsCutIntoEventsOnTheThreadThatReadItWithNobodyWaitingOnTheStream() throws Exception {
        FakeMarathon marathon = fake(r -> null);
        Received received = new Received();
        delivering(marathon, MarathonConfig.builder(List.of(marathon.uri())), received);

        // Two whole events and the start of a third in one write: the two go over together, the third when it ends.
        marathon.write("event: a\r\ndata: 1\r\n\r\nevent: b\r\ndata: 2\r\n\r\nevent: c\r\nda");
        assertThat(received.next()).extracting(SseEvent::type).containsExactly("a", "b");
        marathon.write("ta: 3\r\n\r\n");
        assertThat(received.next()).containsExactly(new SseEvent("c", "3", ""));

        // Not on the executor given for snapshots: the chunk's reading thread (the stream client's selector) did it.
        assertThat(received.threads).isNotEmpty().noneMatch(name -> name.startsWith(POOL));
    }

    @Test
    void silentStreamEndsTheWaitAfterTheIdleTimeout() throws Exception {
        FakeMarathon marathon = fake(r -> null);
        Received received = new Received();
        EventStream stream = delivering(marathon, MarathonConfig.builder(List.of(marathon.uri())), received);

        marathon.write("\r\n");
        assertThat(received.next()).isEmpty(); // a heartbeat: contact, no event
        assertThatThrownBy(() -> stream.awaitEnd(Duration.ofMillis(50))).isInstanceOf(EventStream.ReadIdleException.class);
    }

    @Test
    void theEndOfTheBodyEndsTheWait() throws Exception {
        FakeMarathon marathon = fake(r -> null);
        EventStream stream = delivering(marathon, MarathonConfig.builder(List.of(marathon.uri())), new Received());

        marathon.closeStreams();

        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> stream.awaitEnd(Duration.ofHours(1)));
    }

    @Test
    void abortEndsAWaitingRead() throws Exception {
        FakeMarathon marathon = fake(r -> null);
        EventStream stream = delivering(marathon, MarathonConfig.builder(List.of(marathon.uri())), new Received());

        stream.abort(new java.io.IOException("snapshot failed"));

        assertThatThrownBy(() -> stream.awaitEnd(Duration.ofSeconds(10))).hasMessage("snapshot failed");
    }

    private FakeMarathon fake(FakeMarathon.Handler handler) throws Exception {
        FakeMarathon fake = new FakeMarathon(handler);
        closeables.add(fake);
        return fake;
    }

    /** The stream of {@code marathon} opened, handing its events to {@code to}. */
    private EventStream delivering(FakeMarathon marathon, MarathonConfig.Builder config, Received to) throws Exception {
        EventStream stream = client(config).openEvents(marathon.uri());
        closeables.add(stream);
        stream.deliverTo(to);
        return stream;
    }

    private MarathonClient client(MarathonConfig.Builder config) {
        return new MarathonClient(config.build(), pool);
    }

    /** What a stream handed over, chunk by chunk, and on which threads. */
    private static final class Received implements EventStream.Reader {
        private final BlockingQueue<List<SseEvent>> chunks = new LinkedBlockingQueue<>();
        private final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public void read(List<SseEvent> events) {
            threads.add(Thread.currentThread().getName());
            chunks.add(events);
        }

        List<SseEvent> next() throws InterruptedException {
            List<SseEvent> events = chunks.poll(10, TimeUnit.SECONDS);
            assertThat(events).as("a chunk within 10 s").isNotNull();
            return events;
        }
    }
}
