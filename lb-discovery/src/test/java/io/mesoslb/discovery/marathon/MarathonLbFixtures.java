package io.mesoslb.discovery.marathon;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * marathon-lb's own test data, read where it lies ({@code ../shared/marathon-lb/tests} beside the
 * checkout) rather than copied in. A git worktree elsewhere finds it through the main checkout its
 * {@code .git} file points to. Tests that need it are skipped where it is absent.
 */
final class MarathonLbFixtures {
    private static final Path TESTS = Path.of("shared", "marathon-lb", "tests");

    private MarathonLbFixtures() {
    }

    static List<MarathonApp> apps(String file) throws IOException {
        Path dir = locate();
        assumeTrue(dir != null, "marathon-lb's test data (../shared/marathon-lb/tests) is not beside this checkout");
        try (InputStream in = Files.newInputStream(dir.resolve(file))) {
            return MarathonJson.parseApps(in);
        }
    }

    private static Path locate() throws IOException {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve(TESTS))) {
                return p.resolve(TESTS);
            }
            Path git = p.resolve(".git");
            if (Files.isRegularFile(git)) {
                // A worktree: "gitdir: <main>/.git/worktrees/<name>"; the main checkout's parent has it.
                String line = Files.readString(git).strip();
                if (line.startsWith("gitdir:")) {
                    Path main = Path.of(line.substring(7).strip()).getParent().getParent().getParent();
                    Path beside = main.getParent() == null ? null : main.getParent().resolve(TESTS);
                    return beside != null && Files.isDirectory(beside) ? beside : null;
                }
            }
        }
        return null;
    }
}
