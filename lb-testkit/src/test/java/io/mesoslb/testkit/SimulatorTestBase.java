package io.mesoslb.testkit;

import org.junit.jupiter.api.AfterEach;

/** Tests of one simulator instance: each test starts {@link #sim} its own way; it is always closed afterwards. */
abstract class SimulatorTestBase {
    MarathonSimulator sim;

    @AfterEach
    final void closeSimulator() {
        if (sim != null) {
            sim.close();
        }
    }

    /** Opens {@code /v2/events} on {@link #sim} and waits until the simulator counts it as attached. */
    final RawStream attach(String pathAndQuery) {
        int before = sim.openEventStreams();
        RawStream stream = RawStream.events(sim.uri(), pathAndQuery);
        Await.until(() -> sim.openEventStreams() == before + 1);
        return stream;
    }
}
