package io.mesoslb.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.ChildOutput;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs the launcher script ({@code /usr/bin/mesos-lb}) as systemd or Docker would, against a routes file with one
 * app whose only task is a loopback HTTP server started here, to a first routed request; then SIGTERM.
 */
final class LauncherRun implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String ANSWER = "routed through the packaged launcher";

    private final HttpServer task;
    private final Process process;
    private final ChildOutput out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param launcher the script to run (through its {@code #!/bin/sh} line)
     * @param env      the launcher's settings (JAVA, MESOS_LB_JAR, ...)
     * @param dir      where the routes file (and config) go
     * @param useConfig a config file (MESOS_LB_CONFIG) as the package runs it, or flags only as the container does
     */
    LauncherRun(Path launcher, Map<String, String> env, Path dir, boolean useConfig) throws IOException {
        task = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        task.createContext("/", exchange -> {
            byte[] body = ANSWER.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        task.start();
        Path routes = dir.resolve("apps.json");
        Files.writeString(routes, "{\"apps\":[{\"id\":\"/app\",\"tasks\":[{\"id\":\"app.1\",\"host\":\"127.0.0.1\","
                + "\"ports\":[" + task.getAddress().getPort() + "],\"state\":\"TASK_RUNNING\"}]}]}");
        List<String> settings = List.of("listen-host: 127.0.0.1", "listen-port: 0", "admin-host: 127.0.0.1",
                "admin-port: 0", "domain: test.local", "routes-file: " + routes, "service-ports: false",
                "worker-threads: 2", "drain-period: 1s", "shutdown-grace: 5s");
        ProcessBuilder pb;
        if (useConfig) {
            Path config = dir.resolve("mesos-lb.yaml");
            Files.write(config, settings);
            pb = new ProcessBuilder(launcher.toString());
            pb.environment().put("MESOS_LB_CONFIG", config.toString());
        } else {
            pb = new ProcessBuilder(launcher.toString());
            for (String s : settings) {
                int colon = s.indexOf(": ");
                pb.command().add("--" + s.substring(0, colon) + "=" + s.substring(colon + 2));
            }
            pb.environment().put("MESOS_LB_CONFIG", "");
        }
        pb.environment().putAll(env);
        process = pb.redirectErrorStream(true).start();
        out = ChildOutput.follow(process);
    }

    Process process() {
        return process;
    }

    String output() {
        return out.text();
    }

    /** Waits for the proxy to listen and answers a request for {@code app.test.local} from the task. */
    void awaitFirstRoutedRequest() throws Exception {
        Await.until(WAIT, () -> (out.proxyPort() != 0 && out.adminPort() != 0) || !process.isAlive(),
                () -> "ports logged; output:\n" + out.text());
        assertThat(process.isAlive()).as("launcher still running; its output:\n%s", out.text()).isTrue();
        assertThat(out.proxyPort()).as("proxy port logged; output:\n%s", out.text()).isPositive();
        HttpRequest routed = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + out.proxyPort() + "/"))
                .header("Host", "app.test.local").timeout(Duration.ofSeconds(5)).build();
        AtomicReference<HttpResponse<String>> answer = new AtomicReference<>();
        Await.until(WAIT, () -> {
            try {
                answer.set(http.send(routed, HttpResponse.BodyHandlers.ofString()));
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return answer.get().statusCode() == 200;
        }, () -> "routed request answered 200; last: " + answer.get() + "; output:\n" + out.text());
        HttpResponse<String> last = answer.get();
        assertThat(last).isNotNull();
        assertThat(last.statusCode()).as("routed request; output:\n%s", out.text()).isEqualTo(200);
        assertThat(last.body()).isEqualTo(ANSWER);
    }

    int admin(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + out.adminPort() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The JVM's own command line: the launcher exec'd it, so it has the launcher's process id. */
    List<String> jvmArguments() {
        return List.of(process.info().arguments().orElse(new String[0]));
    }

    /** SIGTERM, as systemd's KillSignal and docker stop send it; the drain ends in exit status 0. */
    void sigtermAndAwaitExitZero() throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
                .as("exited after SIGTERM; output:\n%s", out.text()).isTrue();
        assertThat(process.exitValue()).as("exit status; output:\n%s", out.text()).isZero();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        task.stop(0);
    }
}
