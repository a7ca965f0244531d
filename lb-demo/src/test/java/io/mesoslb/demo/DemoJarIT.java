package io.mesoslb.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.testkit.Await;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, run as a user runs it: the demo's shaded jar, in its own
 * JVM (ephemeral ports instead of 8080/8081/9090, which a CI machine may have taken). Unit tests see
 * the classes; only this sees what the shade plugin packed, its manifest and its logging setup.
 */
class DemoJarIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path JAR = Path.of("target", "mesos-lb-demo.jar");
    private static final Pattern MARATHON = Pattern.compile("simulated Marathon\\s+http://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern PROXY = Pattern.compile("proxy\\s+http://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern ADMIN = Pattern.compile("admin\\s+http://127\\.0\\.0\\.1:(\\d+)/");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final StringBuffer output = new StringBuffer();
    private Process demo;

    @AfterEach
    void stop() {
        if (demo != null) {
            demo.destroyForcibly();
        }
    }

    @Test
    void demoFromTheShadedJarRoutesScalesAndStopsCleanly() throws Exception {
        assertThat(JAR).as("built by the package phase").exists();
        demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-jar", JAR.toString(), "--listen-port", "0", "--admin-port", "0",
                "--demo-marathon-port", "0").redirectErrorStream(true).start();
        Thread reader = new Thread(this::collectOutput, "demo-output");
        reader.setDaemon(true);
        reader.start();

        Await.until(WAIT, () -> port(ADMIN) > 0, () -> "the demo banner; output so far:\n" + output);
        int marathon = port(MARATHON);
        int proxy = port(PROXY);
        int admin = port(ADMIN);
        Await.until(WAIT, () -> status(get("http://127.0.0.1:" + admin + "/health", null)) == 200,
                () -> "/health 200; output:\n" + output);

        HttpResponse<String> first = get("http://127.0.0.1:" + proxy + "/", "www.mesos.local");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).startsWith("www.");

        HttpResponse<String> scaled = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + marathon + "/v2/apps/www"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"instances\":5}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(scaled.statusCode()).isEqualTo(200);
        Set<String> answeredBy = new HashSet<>();
        Await.until(WAIT, () -> {
            answeredBy.add(get("http://127.0.0.1:" + proxy + "/", "www.mesos.local").body());
            return answeredBy.size() == 5;
        }, () -> "5 tasks answering, saw " + answeredBy + "; output:\n" + output);

        demo.destroy(); // SIGTERM, like Ctrl-C
        assertThat(demo.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("demo exited; output:\n%s", output).isTrue();
        assertThat(demo.exitValue()).as("exit status; output:\n%s", output).isZero();
        assertThat(output.toString()).doesNotContain("Exception").doesNotContain("LEAK");
    }

    private HttpResponse<String> get(String url, String host) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (host != null) {
            b.header("Host", host);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            return null;
        }
    }

    private static int status(HttpResponse<String> r) {
        return r == null ? -1 : r.statusCode();
    }

    private int port(Pattern p) {
        Matcher m = p.matcher(output);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private void collectOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                output.append(line).append('\n');
            }
        } catch (java.io.IOException e) {
            // the process ended
        }
    }
}
