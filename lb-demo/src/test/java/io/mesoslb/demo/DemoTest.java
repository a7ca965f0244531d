package io.mesoslb.demo;

import io.mesoslb.server.routes.RouteSources;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.TaskAnswers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.discovery.DiscoverySource;
import io.mesoslb.server.LbServer;
import io.mesoslb.server.config.ConfigException;
import io.mesoslb.server.config.ConfigLoader;
import io.mesoslb.server.config.ServerConfig;
import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.SimTask;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The demo: the configuration it makes, and the commands its banner tells people to try. */
class DemoTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Closer closer = new Closer();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private RouteTableHolder routes;

    @Test
    void everyCommandTheBannerPrintsDoesWhatItSays() throws Exception {
        Demo demo = startDemo("--listen-port=0", "--admin-port=-1");
        assertThat(demo.config().domain()).isEqualTo("mesos.local");
        assertThat(demo.config().marathonUrls()).containsExactly(demo.marathon().uri());
        LbServer server = closer.use(new LbServer(demo.config(), routes).start());
        List<String> initial = running(demo);
        assertThat(initial).hasSize(Demo.INSTANCES);

        List<String> curl = DemoBanner.text(demo, server.localAddress(), null).lines().map(String::strip)
                .filter(l -> l.startsWith("curl ")).toList();
        assertThat(curl).hasSize(5);
        HttpRequest proxied = curl(curl.get(0));
        assertThat(proxied.uri().getPort()).isEqualTo(server.port());

        // Answers with the task id, round robin over the app's tasks.
        awaitAnswering(proxied, initial);

        // Scale to 5: the new tasks get traffic once healthy.
        assertThat(send(curl(curl.get(1))).statusCode()).isEqualTo(200);
        Await.until(WAIT, () -> running(demo).size() == 5, () -> "5 tasks: " + demo.marathon().tasks(Demo.APP));
        awaitAnswering(proxied, running(demo));

        // The task list names them.
        String list = send(curl(curl.get(2))).body();
        running(demo).forEach(id -> assertThat(list).contains(id));

        // Killing the first task takes it out of the rotation; Marathon replaces it.
        String killed = initial.get(0);
        assertThat(curl.get(3)).endsWith("/" + killed);
        assertThat(send(curl(curl.get(3))).statusCode()).isEqualTo(200);
        Await.until(WAIT, () -> !routed().contains(killed), "killed task unrouted");
        Await.until(WAIT, () -> running(demo).size() == 5, "replacement running");

        // Failing the second task's health check takes it out too.
        String sick = initial.get(1);
        assertThat(curl.get(4)).contains("/" + sick + "/");
        assertThat(send(curl(curl.get(4))).statusCode()).isEqualTo(200);
        Await.until(WAIT, () -> !routed().contains(sick), "sick task unrouted");
        List<String> serving = new ArrayList<>(running(demo));
        serving.remove(sick);
        awaitAnswering(proxied, serving);

        // The TCP app echoes through the balancer on the port the banner names.
        String nc = DemoBanner.text(demo, server.localAddress(), null).lines().map(String::strip)
                .filter(l -> l.startsWith("printf ")).findFirst().orElseThrow();
        int echoPort = Integer.parseInt(nc.substring(nc.lastIndexOf(' ') + 1));
        Await.until(WAIT, () -> server.servicePorts().listeningPorts().contains(echoPort), "echo port listening");
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), echoPort)) {
            s.setSoTimeout((int) WAIT.toMillis());
            s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello\n");
        }
    }

    @Test
    void marathonMovesToTheNextPortWhenItsPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Demo demo = startDemo("--demo-marathon-port=" + taken.getLocalPort(), "--listen-port=0");
            assertThat(demo.marathon().port()).isNotEqualTo(taken.getLocalPort());
            assertThat(demo.config().marathonUrls()).containsExactly(demo.marathon().uri());
        }
    }

    @Test
    void flagsOverrideTheDemoDefaultsButNotItsMarathon() {
        ServerConfig config = closer.use(Demo.start("--demo-marathon-port=0", "--listen-port=0",
                "--domain=example.test", "--worker-threads=1")).config();
        assertThat(config.listenHost()).isEqualTo("127.0.0.1");
        assertThat(config.domain()).isEqualTo("example.test");
        assertThat(config.workerThreads()).isEqualTo(1);

        assertThatThrownBy(() -> Demo.start("--marathon-urls=http://m:8080"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("the demo brings its own Marathon");
        assertThatThrownBy(() -> Demo.start("--demo-marathon-port=http"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("demo-marathon-port: 'http' is not an int");
        assertThatThrownBy(() -> Demo.start("--demo-marathon-port=0", "--listen-port=-3"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("listen-port");
    }

    @Test
    void helpMentionsTheDemoFlag() {
        assertThat(ConfigLoader.usage(new Demo.Options())).contains("--demo-marathon-port=<port>")
                .contains("(default: 8081)");
        assertThatThrownBy(() -> Demo.start("--demo-marathon-port=-3")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--demo-marathon-port must be a port number, got -3");
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** The demo as DemoMain runs it: its configuration, routes kept by the real Marathon discovery. */
    private Demo startDemo(String... flags) {
        List<String> args = new ArrayList<>(List.of("--demo-marathon-port=0"));
        args.addAll(List.of(flags));
        Demo demo = closer.use(Demo.start(args.toArray(String[]::new)));
        routes = new RouteTableHolder(new VhostNaming(demo.config().domain()));
        DiscoverySource discovery = closer.use(RouteSources.create(demo.config(), routes));
        discovery.start();
        return demo;
    }

    private static List<String> running(Demo demo) {
        return demo.marathon().tasks(Demo.APP).stream().filter(t -> t.state().equals("TASK_RUNNING"))
                .map(SimTask::id).toList();
    }

    private List<String> routed() {
        return TaskAnswers.routed(routes, "www.mesos.local");
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private void awaitAnswering(HttpRequest request, List<String> taskIds) throws Exception {
        TaskAnswers.awaitExactly(client, request, taskIds, WAIT);
    }

    /**
     * The request a printed curl command sends: {@code -X}, {@code -H} and {@code -d} as curl reads
     * them, single-quoted words as a shell reads them.
     */
    static HttpRequest curl(String line) {
        List<String> words = shellWords(line);
        assertThat(words.get(0)).isEqualTo("curl");
        String method = null;
        String data = null;
        String url = null;
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < words.size(); i++) {
            switch (words.get(i)) {
                case "-X" -> method = words.get(++i);
                case "-H" -> {
                    String h = words.get(++i);
                    int colon = h.indexOf(':');
                    headers.add(new String[] {h.substring(0, colon).strip(), h.substring(colon + 1).strip()});
                }
                case "-d" -> data = words.get(++i);
                default -> {
                    assertThat(words.get(i)).as("a curl option this parser does not know").doesNotStartWith("-");
                    url = words.get(i);
                }
            }
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(WAIT);
        boolean contentType = false;
        for (String[] h : headers) {
            b.header(h[0], h[1]);
            contentType |= h[0].equalsIgnoreCase("Content-Type");
        }
        if (data != null && !contentType) {
            b.header("Content-Type", "application/x-www-form-urlencoded"); // what curl -d sends
        }
        String m = method != null ? method : data != null ? "POST" : "GET";
        return b.method(m, data == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(data)).build();
    }

    private static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
                word = word == null ? new StringBuilder() : word;
            } else if (c == ' ' && !quoted) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        assertThat(quoted).as("unbalanced quote in " + line).isFalse();
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
