package io.mesoslb.core;

import static io.mesoslb.core.Fixtures.app;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class InFlightTest {
    @Test
    void countsAcquiredAndNotYetReleased() {
        BackendState s = new BackendState(Fixtures.backend("/x", 0));
        s.acquired();
        s.acquired();
        assertThat(s.inFlight()).isEqualTo(2);
        s.released();
        assertThat(s.inFlight()).isEqualTo(1);
    }

    @Test
    void exactUnderConcurrentEventLoops() throws Exception {
        BackendState s = new BackendState(Fixtures.backend("/x", 0));
        Concurrently.run(4, () -> {
            for (int i = 0; i < 100_000; i++) {
                s.acquired();
                s.released();
            }
        });
        assertThat(s.inFlight()).isZero();
        Concurrently.run(4, () -> {
            for (int i = 0; i < 1_000; i++) {
                s.acquired();
            }
        });
        assertThat(s.inFlight()).isEqualTo(4_000);
    }

    @Test
    void anUnmatchedReleaseNeverDrivesTheCountNegative() {
        assumeTrue(BackendState.class.desiredAssertionStatus(), "needs -ea");
        BackendState s = new BackendState(Fixtures.backend("/x", 0));
        assertThatThrownBy(s::released).isInstanceOf(AssertionError.class);
        assertThat(s.inFlight()).isZero();
    }

    @Test
    void survivesTableSwapsWhileTheBackendStays() {
        RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"), new FakeTicker());
        holder.update(List.of(app("/x", 2)));
        BackendState s = holder.current().routeForApp("/x").backends().get(0);
        s.acquired();
        holder.update(List.of(app("/x", 3), app("/y", 1)));
        BackendState after = holder.current().routeForApp("/x").backends().get(0);
        assertThat(after).isSameAs(s);
        assertThat(after.inFlight()).isEqualTo(1);
    }
}
