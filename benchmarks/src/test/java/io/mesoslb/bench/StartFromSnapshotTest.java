package io.mesoslb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
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
            assertThat(StartFromSnapshot.command(builds.get(0), file)).doesNotContain("--service-ports");
            assertThat(StartFromSnapshot.command(builds.get(1), file)).containsSubsequence("--service-ports", "false")
                    .contains("/jars/new.jar");
        }
        assertThat(asked).containsOnly(Map.entry(Path.of("/jars/old.jar"), 1), Map.entry(Path.of("/jars/new.jar"), 1));
    }

    /** As the launcher: the flag where the kernel's mode is [always] or [madvise], not at [never] nor without the file. */
    @Test
    void hugePagesWhereTheKernelOffersThem(@TempDir Path dir) throws Exception {
        Path mode = dir.resolve("enabled");
        Files.writeString(mode, "always [madvise] never\n");
        assertThat(StartFromSnapshot.hugePages(mode)).containsExactly("-XX:+UseTransparentHugePages");
        Files.writeString(mode, "[always] madvise never\n");
        assertThat(StartFromSnapshot.hugePages(mode)).containsExactly("-XX:+UseTransparentHugePages");
        Files.writeString(mode, "always madvise [never]\n");
        assertThat(StartFromSnapshot.hugePages(mode)).isEmpty();
        assertThat(StartFromSnapshot.hugePages(dir.resolve("missing"))).isEmpty();
    }
}
