package io.mesoslb.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.discovery.DiscoveryState;
import io.mesoslb.server.admin.ReadinessState.Phase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ReadinessStateTest {
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    private final AtomicReference<DiscoveryState> discovery = new AtomicReference<>();

    private static DiscoveryState synced(Instant lastSync, Instant lastEvent) {
        return new DiscoveryState("file:/apps.json", true, true, lastSync, lastEvent, 1, 0, "ok");
    }

    @Test
    void readyNeedsBothTheListenerAndTheFirstSync() {
        ReadinessState r = new ReadinessState(discovery::get);
        assertThat(r.verdict()).isEqualTo(new ReadinessState.Verdict(false, Phase.STARTING,
                "starting: proxy not listening yet"));

        r.proxyListening();
        assertThat(r.verdict().reason()).isEqualTo("starting: waiting for the first discovery sync");
        assertThat(r.phase()).isEqualTo(Phase.STARTING);

        r.discoverySynced();
        assertThat(r.verdict()).isEqualTo(new ReadinessState.Verdict(true, Phase.READY, "OK"));
    }

    @Test
    void discoveryReportingSyncedCountsAsTheFirstSyncAndSticks() {
        ReadinessState r = new ReadinessState(discovery::get);
        r.proxyListening();
        discovery.set(synced(NOW, null));
        assertThat(r.phase()).isEqualTo(Phase.READY);

        discovery.set(null);
        assertThat(r.verdict().healthy()).isTrue();
    }

    @Test
    void drainingIsFinal() {
        ReadinessState r = new ReadinessState(discovery::get);
        r.proxyListening();
        r.discoverySynced();
        r.startDraining();
        r.proxyListening();

        assertThat(r.verdict()).isEqualTo(new ReadinessState.Verdict(false, Phase.DRAINING, "draining"));
    }

    @Test
    void staleDiscoveryMakesAReadyInstanceUnhealthyWhenEnabled() {
        ReadinessState r = new ReadinessState(discovery::get, Duration.ofSeconds(30), Clock.fixed(NOW, ZoneOffset.UTC));
        r.proxyListening();
        discovery.set(synced(NOW.minusSeconds(300), NOW.minusSeconds(10)));
        assertThat(r.verdict().healthy()).isTrue();

        discovery.set(synced(NOW.minusSeconds(300), NOW.minusSeconds(45)));
        ReadinessState.Verdict v = r.verdict();
        assertThat(v.healthy()).isFalse();
        assertThat(v.phase()).isEqualTo(Phase.READY);
        assertThat(v.reason()).isEqualTo("stale: last discovery contact 45s ago (limit 30s)");

        // A newer full sync counts as contact just like an event does.
        discovery.set(synced(NOW.minusSeconds(2), NOW.minusSeconds(45)));
        assertThat(r.verdict().healthy()).isTrue();
    }

    @Test
    void aQuietClusterWhoseStreamIsAliveIsNotStale() {
        ReadinessState r = new ReadinessState(discovery::get, Duration.ofSeconds(30), Clock.fixed(NOW, ZoneOffset.UTC));
        r.proxyListening();
        // No event for an hour, the last full sync 4 minutes ago, but a heartbeat 5 s ago.
        discovery.set(new DiscoveryState("m", true, true, NOW.minusSeconds(240), NOW.minusSeconds(3600),
                NOW.minusSeconds(5), 1, 1, "streaming"));
        assertThat(r.verdict().healthy()).isTrue();
    }

    @Test
    void stalenessCheckIsOffByDefault() {
        ReadinessState r = new ReadinessState(discovery::get);
        r.proxyListening();
        discovery.set(synced(Instant.EPOCH, null));
        assertThat(r.verdict().healthy()).isTrue();

        ReadinessState zero = new ReadinessState(discovery::get, Duration.ZERO, Clock.systemUTC());
        zero.proxyListening();
        assertThat(zero.verdict().healthy()).isTrue();
    }
}
