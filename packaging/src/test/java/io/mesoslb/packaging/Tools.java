package io.mesoslb.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the system's tools (dpkg, systemd-analyze, sh) and finds what the build made. */
final class Tools {
    static final boolean CI = "true".equals(System.getenv("CI"));

    private Tools() {
    }

    record Result(int exit, String output) {
    }

    static Result run(Path dir, String... command) throws IOException, InterruptedException {
        return run(dir, Map.of(), command);
    }

    /** @param env added to this process's environment */
    static Result run(Path dir, Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", String.join(" ", command)).isTrue();
        return new Result(p.exitValue(), out);
    }

    static Result ok(Path dir, String... command) throws IOException, InterruptedException {
        Result r = run(dir, command);
        assertThat(r.exit()).as("%s: %s", String.join(" ", command), r.output()).isZero();
        return r;
    }

    /** The first executable {@code name} on PATH, or {@code null}. */
    static Path onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    static Path packagingDir() {
        return Path.of(System.getProperty("mesoslb.packaging", ".")).toAbsolutePath().normalize();
    }

    static Path shadedJar() {
        Path jar = Path.of(System.getProperty("mesoslb.jar",
                packagingDir().resolve("../lb-server/target/mesos-lb.jar").toString())).normalize();
        assertThat(jar).as("the shaded jar (lb-server's package phase)").isRegularFile();
        return jar;
    }

    /** The one {@code mesos-lb_<version>_all.deb} under target/. */
    static Path deb() throws IOException {
        try (var files = Files.list(packagingDir().resolve("target"))) {
            List<Path> debs = files.filter(f -> f.getFileName().toString().matches("mesos-lb_.+_all\\.deb")).toList();
            assertThat(debs).as("one mesos-lb_<version>_all.deb in target/").hasSize(1);
            return debs.get(0);
        }
    }

    static Path currentJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }
}
