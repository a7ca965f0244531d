package io.mesoslb.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.mesoslb.testkit.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the launcher script ({@code /usr/bin/mesos-lb}) as systemd or Docker would, against a routes file with one
 * app whose only task is a loopback HTTP server started here, to a first routed request; then SIGTERM.
 */
final class LauncherRun implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String ANSWER = "routed through the packaged launcher";
    private static final Pattern PROXY_PORT = Pattern.compile("mesos-lb proxy listening on /127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern ADMIN_PORT = Pattern.compile("admin server listening on /127\\.0\\.0\\.1:(\\d+)");

    private final HttpServer task;
    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final AtomicInteger proxyPort = new AtomicInteger();
    private final AtomicInteger adminPort = new AtomicInteger();
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
        Thread reader = new Thread(this::read, "launcher-output");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                output.append(line).append('\n');
                capture(PROXY_PORT, line, proxyPort);
                capture(ADMIN_PORT, line, adminPort);
            }
        } catch (IOException e) {
            output.append("(output: ").append(e).append(")\n");
        }
    }

    private static void capture(Pattern p, String line, AtomicInteger into) {
        Matcher m = p.matcher(line);
        if (m.find()) {
            into.set(Integer.parseInt(m.group(1)));
        }
    }

    Process process() {
        return process;
    }

    String output() {
        return output.toString();
    }

    /** Waits for the proxy to listen and answers a request for {@code app.test.local} from the task. */
    void awaitFirstRoutedRequest() throws Exception {
        Await.until(WAIT, () -> (proxyPort.get() != 0 && adminPort.get() != 0) || !process.isAlive(),
                () -> "ports logged; output:\n" + output);
        assertThat(process.isAlive()).as("launcher still running; its output:\n%s", output).isTrue();
        assertThat(proxyPort.get()).as("proxy port logged; output:\n%s", output).isPositive();
        HttpRequest routed = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort.get() + "/"))
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
        }, () -> "routed request answered 200; last: " + answer.get() + "; output:\n" + output);
        HttpResponse<String> last = answer.get();
        assertThat(last).isNotNull();
        assertThat(last.statusCode()).as("routed request; output:\n%s", output).isEqualTo(200);
        assertThat(last.body()).isEqualTo(ANSWER);
    }

    int admin(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort.get() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The JVM's own command line: the launcher exec'd it, so it has the launcher's process id. */
    List<String> jvmArguments() {
        return List.of(process.info().arguments().orElse(new String[0]));
    }

    /** SIGTERM, as systemd's KillSignal and docker stop send it; the drain ends in exit status 0. */
    void sigtermAndAwaitExitZero() throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("exited after SIGTERM; output:\n%s", output)
                .isTrue();
        assertThat(process.exitValue()).as("exit status; output:\n%s", output).isZero();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        task.stop(0);
    }
}
