package io.mesoslb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartFromSnapshotTest {
    /** The {@code --help} probe is a JVM start of its own: once per jar, not once per round. */
    @Test
    void eachJarIsAskedWhatItTakesOnceWhateverTheRounds() throws Exception {
        Map<Path, Integer> asked = new ConcurrentHashMap<>();
        List<StartFromSnapshot.Build> builds = StartFromSnapshot.builds(List.of("before=/jars/old.jar", "after=/jars/new.jar"),
                jar -> {
                    asked.merge(jar, 1, Integer::sum);
                    return jar.endsWith("new.jar");
                });
        Path file = Path.of("/snapshot.json");
        for (int round = 0; round < 3; round++) {
            assertThat(StartFromSnapshot.command(builds.get(0), file, List.of("-Xmx1m"))).doesNotContain("--service-ports");
            assertThat(StartFromSnapshot.command(builds.get(1), file, List.of("-Xmx1m"))).containsSubsequence("--service-ports", "false")
                    .contains("/jars/new.jar");
        }
        assertThat(asked).containsOnly(Map.entry(Path.of("/jars/old.jar"), 1), Map.entry(Path.of("/jars/new.jar"), 1));
    }

    /** The flags are the launcher's own, as launcher-flags.sh has it print them: everything before its -jar. */
    @Test
    void jvmFlagsAreAskedOfThePackagedLauncher() throws Exception {
        List<String> flags = StartFromSnapshot.launcherFlags(Path.of("launcher-flags.sh"));
        assertThat(flags).contains("-Xms512m", "-Xmx512m").doesNotContain("-jar")
                .allMatch(f -> f.startsWith("-X"), "JVM options only");
        assertThat(StartFromSnapshot.command(new StartFromSnapshot.Build("a", Path.of("/a.jar"), List.of("-Dx=1"),
                List.of()), Path.of("/s.json"), flags)).containsSubsequence(flags.get(0), "-Dx=1", "-jar", "/a.jar");
    }

    @Test
    void aMissingLauncherIsAClearError(@TempDir Path dir) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StartFromSnapshot.launcherFlags(dir.resolve("none")))
                .hasMessageContaining("-DlauncherFlags=");
    }
}
