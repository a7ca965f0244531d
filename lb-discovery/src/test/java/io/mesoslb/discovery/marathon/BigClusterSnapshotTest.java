package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.testkit.MarathonSimulator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The simulator serves a big cluster on shared backends (2,000 apps x 10 tasks here; 10,000 x 10 works and takes about 33 s), and the streamed snapshot reads them all. */
class BigClusterSnapshotTest {
    @Test
    void twoThousandAppsOfTenTasksAreReadFromOneStreamedSnapshot() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        try (MarathonSimulator marathon = MarathonSimulator.start()) {
            marathon.createApps("/big", 2_000, 10, 8);
            MarathonClient client = new MarathonClient(MarathonConfig.builder(List.of(marathon.uri())).build(), pool);

            List<MarathonApp> apps = client.fetchApps(marathon.uri());

            assertThat(apps).hasSize(2_000);
            assertThat(apps.stream().mapToInt(a -> a.tasks().size()).sum()).isEqualTo(20_000);
            assertThat(apps.get(0).tasks()).allSatisfy(t -> assertThat(t.state()).isEqualTo(MarathonTask.RUNNING));
        } finally {
            pool.shutdownNow();
        }
    }
}
