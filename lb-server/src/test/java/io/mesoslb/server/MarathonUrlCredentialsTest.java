package io.mesoslb.server;

import io.mesoslb.server.routes.RouteSources;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.LogCapture;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.discovery.DiscoverySource;
import io.mesoslb.server.config.ConfigLoader;
import io.mesoslb.server.config.ServerConfig;
import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.LoopbackPort;
import io.mesoslb.testkit.MarathonSimulator;
import io.mesoslb.testkit.SimulatorOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Credentials in a Marathon URL, over real sockets: Marathon gets them as basic auth, and neither the
 * logs (any level) nor the admin plane ever show them, whether discovery works or fails.
 */
class MarathonUrlCredentialsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Decoded; in the URL it is percent-encoded, and neither form may show anywhere. */
    private static final String SECRET = "s3c:r@t/Zq9";
    private static final String ENCODED = "s3c%3Ar%40t%2FZq9";
    private static final String MARK = "Zq9";

    @RegisterExtension
    final Closer closer = new Closer();
    @RegisterExtension
    final LogCapture logs = LogCapture.everything();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final MarathonSimulator marathon = closer.use(MarathonSimulator.start(SimulatorOptions.builder()
            .basicAuth("lb", SECRET).build()));

    @Test
    void theCredentialsAuthenticateAndShowNowhere() throws Exception {
        marathon.createApp("/web", 2, Map.of(), false);
        int down = closer.use(LoopbackPort.refusing()).port();
        Running lb = start("http://lb:" + ENCODED + "@127.0.0.1:" + down,
                "http://lb:" + ENCODED + "@127.0.0.1:" + marathon.port());

        Await.until(WAIT, () -> size(lb.routes.current().lookup("web.test.local")) == 2,
                () -> "routed; discovery " + lb.discovery.state());

        assertThat(logs.lines()).as("the dead master was reported, by address")
                .anyMatch(l -> l.contains("reconnecting") && l.contains("127.0.0.1:" + down));
        // Logged just after the table it describes is published, with the URL it came from.
        Await.until(WAIT, () -> logs.lines().stream().anyMatch(l -> l.contains("INFO snapshot of")
                && l.contains("127.0.0.1:" + marathon.port())), "the snapshot's log line, naming its URL");
        assertShownNowhere(lb, MARK, basic("lb", SECRET));
    }

    @Test
    void wrongCredentialsAreReportedWithoutThem() throws Exception {
        Running lb = start("http://lb:" + ENCODED + "-n0pe@127.0.0.1:" + marathon.port());

        Await.until(WAIT, () -> lb.discovery.state().detail().contains("answered 401"),
                () -> "a refusal reported; discovery " + lb.discovery.state());
        String routes = admin(lb, "/routes");
        assertThat(routes).contains("answered 401").contains("http://127.0.0.1:" + marathon.port());
        assertShownNowhere(lb, MARK, "n0pe", basic("lb", SECRET + "-n0pe"));
    }

    private void assertShownNowhere(Running lb, String... secrets) throws Exception {
        List<String> shown = new ArrayList<>(logs.lines());
        for (String path : List.of("/routes", "/stats.json", "/", "/metrics")) {
            shown.add(path + " " + admin(lb, path));
        }
        shown.add("discovery state " + lb.discovery.state());
        assertThat(shown).as("the Marathon URL is shown somewhere")
                .anyMatch(s -> s.contains("127.0.0.1:" + marathon.port()));
        for (String secret : secrets) {
            assertThat(shown).noneMatch(s -> s.contains(secret));
        }
    }

    private Running start(String... marathonUrls) {
        ServerConfig config = ConfigLoader.load(new String[] {
                "--marathon-urls=" + String.join(",", marathonUrls), "--domain=test.local",
                "--listen-host=127.0.0.1", "--listen-port=0", "--admin-port=0", "--worker-threads=1",
                "--shutdown-grace=2s"});
        RouteTableHolder routes = new RouteTableHolder(new VhostNaming(config.domain()), config.groups());
        DiscoverySource discovery = closer.use(RouteSources.create(config, routes));
        LbServer server = closer.use(new LbServer(config, routes).discoveryState(discovery::state)).start();
        discovery.start();
        return new Running(server, routes, discovery);
    }

    private String admin(Running lb, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + lb.server.adminAddress().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String basic(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static int size(Route route) {
        return route == null ? 0 : route.size();
    }

    private record Running(LbServer server, RouteTableHolder routes, DiscoverySource discovery) {
    }
}
