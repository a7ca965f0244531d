package io.mesoslb.server.testing;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's curl, run as a real HTTP/2 client. Tests that need it are skipped where it is missing or
 * built without HTTP/2, except under CI ({@code CI=true}), where {@code .ci/run} installs it.
 */
public final class Curl {
    /** {@code CURL_BIN} overrides Debian's path (e.g. to check the skip and CI rules). */
    private static final Path CURL = Path.of(System.getenv().getOrDefault("CURL_BIN", "/usr/bin/curl"));

    /** What a run printed: the body, then (from {@code -w}) the HTTP version and status. */
    public record Result(int exit, String body, String httpVersion, int status, String stderr) {
    }

    private Curl() {
    }

    /** Skips (fails under CI) unless curl is installed with HTTP/2. */
    public static void require() throws Exception {
        boolean ok = Files.isExecutable(CURL) && run(List.of("-V")).body().contains("HTTP2");
        if (ok) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(CURL + " with HTTP/2 is missing, but CI=true requires this test to run: install Debian's curl");
        }
        assumeTrue(false, CURL + " with HTTP/2 is not installed; skipping outside CI");
    }

    /** Runs curl quietly with {@code args} (a URL among them); the body and the version and status it reports. */
    public static Result fetch(List<String> args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-sS", "--max-time", "20", "-w", "\n%{http_version} %{http_code}"));
        all.addAll(args);
        Result raw = run(all);
        String out = raw.body();
        int nl = out.lastIndexOf('\n');
        String[] tail = out.substring(nl + 1).split(" ");
        int status = tail.length == 2 ? Integer.parseInt(tail[1]) : 0;
        return new Result(raw.exit(), out.substring(0, Math.max(nl, 0)), tail[0], status, raw.stderr());
    }

    private static Result run(List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(CURL.toString());
        command.addAll(args);
        Path err = Files.createTempFile("curl", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("curl did not finish: " + command);
            }
            return new Result(p.exitValue(), out, "", 0, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
