package io.mesoslb.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container's runtime without Docker (there is no engine here): runs the Dockerfile's jlink step (the same
 * script) on the shaded jar, then starts the jar on that runtime through the launcher, flags only, as the image's
 * entry point does, to a first routed request and a scrape of /metrics (the JVM binders need java.management).
 */
class JlinkRuntimeIT {
    @Test
    void jarRunsOnTheJlinkedRuntime(@TempDir Path work) throws Exception {
        Path packaging = Tools.packagingDir();
        Path script = packaging.resolve("docker/jlink.sh");
        String dockerfile = Files.readString(packaging.resolve("docker/Dockerfile"));
        assertThat(dockerfile).as("the Dockerfile runs the script tested here")
                .contains("COPY packaging/docker/jlink.sh /tmp/jlink.sh", "RUN sh /tmp/jlink.sh /tmp/mesos-lb.jar /opt/mesos-lb/java",
                        "COPY packaging/src/deb/bin/mesos-lb /usr/bin/mesos-lb", "JAVA=/opt/mesos-lb/java/bin/java",
                        "ENTRYPOINT [\"/usr/bin/mesos-lb\"]");
        Path runtime = work.resolve("java");
        Tools.ok(work, "sh", script.toString(), Tools.shadedJar().toString(), runtime.toString());

        Path java = runtime.resolve("bin/java");
        List<String> modules = Tools.ok(work, java.toString(), "--list-modules").output().lines()
                .map(l -> l.replaceFirst("@.*", "")).toList();
        assertThat(modules).contains("java.base", "java.management", "jdk.unsupported", "jdk.crypto.ec")
                .as("only what the jar needs: no compiler, no jshell, no tools")
                .doesNotContain("jdk.compiler", "jdk.jshell", "jdk.jlink", "java.compiler");

        Map<String, String> env = Map.of("JAVA", java.toString(), "MESOS_LB_JAR", Tools.shadedJar().toString(),
                "MESOS_LB_DEFAULTS", work.resolve("no-defaults-in-the-image").toString(), "MESOS_LB_HEAP", "128m");
        try (LauncherRun run = new LauncherRun(packaging.resolve("src/deb/bin/mesos-lb"), env, work, false)) {
            run.awaitFirstRoutedRequest();
            assertThat(run.admin("/metrics")).isEqualTo(200);
            assertThat(run.jvmArguments()).contains("-Xmx128m", "-XX:+UseParallelGC").doesNotContain("--config");
            run.sigtermAndAwaitExitZero();
        }
    }
}
