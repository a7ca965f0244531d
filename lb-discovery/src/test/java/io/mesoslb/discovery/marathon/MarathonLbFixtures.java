package io.mesoslb.discovery.marathon;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mesoslb.testkit.SharedData;
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
    private MarathonLbFixtures() {
    }

    static List<MarathonApp> apps(String file) throws IOException {
        Path dir = SharedData.find("marathon-lb/tests");
        assumeTrue(dir != null, "marathon-lb's test data (../shared/marathon-lb/tests) is not beside this checkout");
        try (InputStream in = Files.newInputStream(dir.resolve(file))) {
            return MarathonJson.parseApps(in);
        }
    }
}
