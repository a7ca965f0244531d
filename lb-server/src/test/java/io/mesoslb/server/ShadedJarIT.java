package io.mesoslb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/** What the shade plugin packed into the production jar: run as the README runs it. */
class ShadedJarIT {
    private static final Path JAR = Path.of("target", "mesos-lb.jar");

    @Test
    void versionFlagPrintsTheBuildsVersion() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).as("from the jar's manifest, not 'dev'; the commit the build recorded")
                .matches("mesos-lb \\d+\\.\\d+\\.\\d+\\S* \\(commit ([0-9a-f]{40}|unknown)\\)");
    }

    private static Process run(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    @Test
    void checkValidatesAndExitsWithoutListening(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path routes = java.nio.file.Files.writeString(tmp.resolve("apps.json"), "{\"apps\":[]}");
        Process ok = run("--check", "--routes-file=" + routes, "--domain=example.test", "--listen-port=1");
        String out = new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ok.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ok.exitValue()).as(out).isZero();
        // Port 1 needs privileges: that nothing complained shows nothing was bound.
        assertThat(out).contains("configuration OK").contains(":1,").contains("domain example.test");

        Process bad = run("--check", "--routes-file=" + routes, "--listen-port=http", "--domain");
        String said = new String(bad.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bad.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.exitValue()).isEqualTo(2);
        assertThat(said).contains("listen-port").contains("--domain").doesNotContain("configuration OK");
    }

    @Test
    void theSimulatorDoesNotShip() throws Exception {
        assertThat(JAR).as("built by the package phase").exists();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            List<String> names = Collections.list(jar.entries()).stream().map(ZipEntry::getName).toList();
            assertThat(names).as("the server itself is packed").contains("io/mesoslb/server/Main.class");
            // The demo's simulated Marathon lives in lb-demo's jar; production has no use for it.
            assertThat(names).noneMatch(n -> n.startsWith("io/mesoslb/testkit/") || n.startsWith("io/mesoslb/demo/"));
            assertThat(names).doesNotContain("mesos-lb-demo-logback.xml");
        }
    }
}
