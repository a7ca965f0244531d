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
        assertThat(out).as("from the jar's manifest, not 'dev'").matches("mesos-lb \\d+\\.\\d+\\.\\d+.*");
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
