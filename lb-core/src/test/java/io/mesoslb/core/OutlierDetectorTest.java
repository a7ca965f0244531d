package io.mesoslb.core;

import static io.mesoslb.core.EjectionEvent.Kind.EJECTED;
import static io.mesoslb.core.EjectionEvent.Kind.RETURNED;
import static io.mesoslb.core.FailureKind.CONNECT_FAILURE;
import static io.mesoslb.core.FailureKind.GATEWAY_ERROR;
import static io.mesoslb.core.FailureKind.RESET;
import static io.mesoslb.core.FailureKind.SERVER_ERROR_5XX;
import static io.mesoslb.core.FailureKind.TIMEOUT;
import static io.mesoslb.core.Fixtures.app;
import static io.mesoslb.core.Fixtures.backend;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class OutlierDetectorTest {
    private final FakeTicker ticker = new FakeTicker();
    private final RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"), ticker);
    private final List<EjectionEvent> events = new CopyOnWriteArrayList<>();
    private OutlierDetector detector = new OutlierDetector(OutlierPolicy.DEFAULT, ticker, events::add);

    private Route route(int tasks) {
        holder.update(List.of(app("/x", tasks)));
        return holder.current().routeForApp("/x");
    }

    private static BackendState state(Route r, int i) {
        return r.backends().get(i);
    }

    private void fail(Route r, BackendState s, FailureKind kind, int times) {
        for (int i = 0; i < times; i++) {
            detector.reportFailure(r, s, kind);
        }
    }

    private Set<Backend> picked(Route r, int times) {
        Set<Backend> seen = new HashSet<>();
        for (int i = 0; i < times; i++) {
            seen.add(r.select().backend());
        }
        return seen;
    }

    private static EjectionEvent ejected(Backend b, int seconds, int count, FailureKind cause) {
        return new EjectionEvent(b, EJECTED, Duration.ofSeconds(seconds), count, cause);
    }

    private static EjectionEvent returned(Backend b, int seconds, int count) {
        return new EjectionEvent(b, RETURNED, Duration.ofSeconds(seconds), count, null);
    }

    @Test
    void ejectsAfterConsecutiveGatewayFailuresOfAnyKind() {
        Route r = route(3);
        BackendState s = state(r, 1);
        fail(r, s, CONNECT_FAILURE, 1);
        fail(r, s, RESET, 1);
        fail(r, s, TIMEOUT, 1);
        fail(r, s, GATEWAY_ERROR, 1);
        assertThat(s.consecutiveFailures()).isEqualTo(4);
        assertThat(s.isEjected(ticker.nanos())).isFalse();
        assertThat(events).isEmpty();

        fail(r, s, CONNECT_FAILURE, 1);
        assertThat(s.isEjected(ticker.nanos())).isTrue();
        assertThat(s.ejectionCount()).isEqualTo(1);
        assertThat(r.ejectedCount()).isEqualTo(1);
        assertThat(events).containsExactly(ejected(s.backend(), 30, 1, CONNECT_FAILURE));
        assertThat(picked(r, 30)).containsExactlyInAnyOrder(backend("/x", 0), backend("/x", 2));
    }

    @Test
    void successResetsTheRun() {
        Route r = route(3);
        BackendState s = state(r, 0);
        fail(r, s, CONNECT_FAILURE, 4);
        detector.reportSuccess(r, s);
        assertThat(s.consecutiveFailures()).isZero();
        fail(r, s, CONNECT_FAILURE, 4);
        assertThat(s.hasEjection()).isFalse();
        fail(r, s, CONNECT_FAILURE, 1);
        assertThat(s.hasEjection()).isTrue();
    }

    @Test
    void plain5xxBreaksTheGatewayRunAndDoesNotEjectByDefault() {
        Route r = route(3);
        BackendState s = state(r, 0);
        fail(r, s, GATEWAY_ERROR, 4);
        fail(r, s, SERVER_ERROR_5XX, 1);
        fail(r, s, GATEWAY_ERROR, 4);
        fail(r, s, SERVER_ERROR_5XX, 100);
        assertThat(s.hasEjection()).isFalse();
        assertThat(events).isEmpty();
    }

    @Test
    void consecutive5xxWhenEnabledCountsEveryKind() {
        detector = new OutlierDetector(OutlierPolicy.DEFAULT.withConsecutive5xx(3), ticker, events::add);
        Route r = route(3);
        BackendState s = state(r, 0);
        fail(r, s, SERVER_ERROR_5XX, 1);
        fail(r, s, GATEWAY_ERROR, 1);
        assertThat(s.hasEjection()).isFalse();
        fail(r, s, SERVER_ERROR_5XX, 1);
        assertThat(events).containsExactly(ejected(s.backend(), 30, 1, SERVER_ERROR_5XX));
    }

    @Test
    void disabledThresholdsNeverEject() {
        detector = new OutlierDetector(OutlierPolicy.DEFAULT.withConsecutiveFailures(0), ticker, events::add);
        Route r = route(3);
        fail(r, state(r, 0), CONNECT_FAILURE, 100);
        assertThat(state(r, 0).hasEjection()).isFalse();
        assertThat(state(r, 0).consecutiveFailures()).isZero();
    }

    @Test
    void failuresWhileEjectedDoNotCountOrExtendTheEjection() {
        Route r = route(3);
        BackendState s = state(r, 0);
        fail(r, s, CONNECT_FAILURE, 5);
        long until = s.ejectedUntilNanos();
        ticker.advance(Duration.ofSeconds(10));
        fail(r, s, CONNECT_FAILURE, 50);
        detector.reportSuccess(r, s);
        assertThat(s.ejectedUntilNanos()).isEqualTo(until);
        assertThat(events).hasSize(1);
    }

    @Test
    void returnsWhenItsTimeIsUpAndTheReturnIsAnnouncedOnce() {
        Route r = route(2);
        BackendState s = state(r, 0);
        fail(r, s, CONNECT_FAILURE, 5);
        ticker.advance(Duration.ofSeconds(30).minusNanos(1));
        assertThat(picked(r, 10)).containsOnly(backend("/x", 1));
        detector.sweep(holder.current());
        assertThat(events).hasSize(1);

        ticker.advance(Duration.ofNanos(1));
        // Back in rotation on time, whether or not anyone has noticed yet.
        assertThat(picked(r, 10)).containsOnly(backend("/x", 0), backend("/x", 1));
        detector.reportSuccess(r, s);
        detector.reportSuccess(r, s);
        detector.sweep(holder.current());
        assertThat(events).containsExactly(ejected(s.backend(), 30, 1, CONNECT_FAILURE), returned(s.backend(), 30, 1));
        assertThat(s.hasEjection()).isFalse();
    }

    @Test
    void sweepAnnouncesReturnsOfIdleBackends() {
        Route r = route(2);
        BackendState s = state(r, 1);
        fail(r, s, TIMEOUT, 5);
        ticker.advance(Duration.ofMinutes(1));
        detector.sweep(holder.current());
        detector.sweep(holder.current());
        assertThat(events).containsExactly(ejected(s.backend(), 30, 1, TIMEOUT), returned(s.backend(), 30, 1));
    }

    @Test
    void aBackendThatLeftTheTableWhileEjectedIsNotAnnouncedAndTheOthersStillAre() {
        Route r = route(3);
        BackendState gone = state(r, 0);
        fail(r, gone, CONNECT_FAILURE, 5);
        holder.update(List.of(app("/x", RouteSpec.DEFAULT, backend("/x", 1), backend("/x", 2))));
        Route now = holder.current().routeForApp("/x");
        BackendState stays = now.states()[0];
        fail(now, stays, TIMEOUT, 5);
        ticker.advance(Duration.ofMinutes(2));
        detector.sweep(holder.current());
        detector.sweep(holder.current());
        assertThat(events).containsExactly(ejected(gone.backend(), 30, 1, CONNECT_FAILURE),
                ejected(stays.backend(), 30, 1, TIMEOUT), returned(stays.backend(), 30, 1));
    }

    @Test
    void returningBackendIsReEjectedOnItsFirstFailureForLonger() {
        Route r = route(3);
        BackendState s = state(r, 0);
        fail(r, s, CONNECT_FAILURE, 5);
        ticker.advance(Duration.ofSeconds(30));
        fail(r, s, RESET, 1);
        assertThat(s.isEjected(ticker.nanos())).isTrue();
        assertThat(events).containsExactly(
                ejected(s.backend(), 30, 1, CONNECT_FAILURE),
                returned(s.backend(), 30, 1),
                ejected(s.backend(), 60, 2, RESET));
    }

    @Test
    void aSuccessAfterReturnEndsProbation() {
        Route r = route(3);
        BackendState s = state(r, 0);
        fail(r, s, CONNECT_FAILURE, 5);
        ticker.advance(Duration.ofSeconds(30));
        detector.reportSuccess(r, s);
        fail(r, s, CONNECT_FAILURE, 4);
        assertThat(s.hasEjection()).isFalse();
        fail(r, s, CONNECT_FAILURE, 1);
        assertThat(events.get(events.size() - 1)).isEqualTo(ejected(s.backend(), 60, 2, CONNECT_FAILURE));
    }

    @Test
    void ejectionTimeGrowsWithEachEjectionInARowAndIsCapped() {
        Route r = route(3);
        BackendState s = state(r, 0);
        fail(r, s, CONNECT_FAILURE, 5);
        List<Duration> durations = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Duration d = events.get(events.size() - 1).duration();
            durations.add(d);
            ticker.advance(d);
            fail(r, s, CONNECT_FAILURE, 1);
        }
        assertThat(durations).extracting(Duration::toSeconds)
                .containsExactly(30L, 60L, 90L, 120L, 150L, 180L, 210L, 240L, 270L, 300L, 300L, 300L);
        assertThat(s.ejectionCount()).isEqualTo(10);
    }

    @Test
    void multiplierDecaysWhileTheBackendStaysInRotation() {
        Route r = route(3);
        BackendState s = state(r, 0);
        fail(r, s, CONNECT_FAILURE, 5);
        ticker.advance(Duration.ofSeconds(30));
        fail(r, s, CONNECT_FAILURE, 1);
        ticker.advance(Duration.ofSeconds(60));
        fail(r, s, CONNECT_FAILURE, 1);
        assertThat(s.ejectionCount()).isEqualTo(3);
        ticker.advance(Duration.ofSeconds(90));
        detector.reportSuccess(r, s);

        // 20 s in rotation forgives two of the three ejections: the next one is the second in a row.
        ticker.advance(Duration.ofSeconds(20));
        fail(r, s, CONNECT_FAILURE, 5);
        assertThat(events.get(events.size() - 1)).isEqualTo(ejected(s.backend(), 60, 2, CONNECT_FAILURE));

        ticker.advance(Duration.ofSeconds(60));
        detector.reportSuccess(r, s);
        ticker.advance(Duration.ofMinutes(10));
        fail(r, s, CONNECT_FAILURE, 5);
        assertThat(events.get(events.size() - 1)).isEqualTo(ejected(s.backend(), 30, 1, CONNECT_FAILURE));
    }

    @Test
    void atMostHalfOfAnAppIsEjectedAndTheRestKeepsServingEvenIfFailing() {
        Route r = route(4);
        for (int i = 0; i < 4; i++) {
            fail(r, state(r, i), CONNECT_FAILURE, 20);
        }
        assertThat(r.ejectedCount()).isEqualTo(2);
        assertThat(events).extracting(EjectionEvent::backend).containsExactly(backend("/x", 0), backend("/x", 1));
        assertThat(picked(r, 40)).containsExactlyInAnyOrder(backend("/x", 2), backend("/x", 3));
    }

    @Test
    void appOfTwoMayLoseOneAndAppOfOneNone() {
        Route two = route(2);
        fail(two, state(two, 0), CONNECT_FAILURE, 5);
        fail(two, state(two, 1), CONNECT_FAILURE, 5);
        assertThat(two.ejectedCount()).isEqualTo(1);

        holder.update(List.of(app("/solo", 1)));
        Route solo = holder.current().routeForApp("/solo");
        fail(solo, state(solo, 0), CONNECT_FAILURE, 50);
        assertThat(solo.ejectedCount()).isZero();
        assertThat(solo.select()).isSameAs(state(solo, 0));
    }

    @Test
    void whenAnEjectedBackendReturnsTheCapLetsTheNextFailingOneGo() {
        Route r = route(2);
        BackendState a = state(r, 0);
        BackendState b = state(r, 1);
        fail(r, a, CONNECT_FAILURE, 5);
        fail(r, b, CONNECT_FAILURE, 5);
        assertThat(b.hasEjection()).isFalse();

        ticker.advance(Duration.ofSeconds(30));
        detector.reportSuccess(r, a);
        fail(r, b, CONNECT_FAILURE, 1);
        assertThat(b.isEjected(ticker.nanos())).isTrue();
        assertThat(a.isEjected(ticker.nanos())).isFalse();
    }

    @Test
    void stateSurvivesTableSwapsAndIsForgottenWhenTheBackendLeaves() {
        Route r = route(3);
        BackendState s = state(r, 0);
        fail(r, s, CONNECT_FAILURE, 3);

        Route bigger = route(4);
        assertThat(state(bigger, 0)).isSameAs(s);
        fail(bigger, state(bigger, 0), CONNECT_FAILURE, 2);
        assertThat(s.isEjected(ticker.nanos())).isTrue();

        holder.update(List.of(app("/x", RouteSpec.DEFAULT, backend("/x", 1), backend("/x", 2), backend("/x", 3))));
        Route back = route(3);
        assertThat(state(back, 0)).isNotSameAs(s);
        assertThat(state(back, 0).hasEjection()).isFalse();
        assertThat(state(back, 0).consecutiveFailures()).isZero();
    }

    @Test
    void failingListenerDoesNotBreakReporting() {
        detector = new OutlierDetector(OutlierPolicy.DEFAULT, ticker, e -> {
            throw new IllegalStateException("boom");
        });
        Route r = route(3);
        fail(r, state(r, 0), CONNECT_FAILURE, 5);
        assertThat(state(r, 0).hasEjection()).isTrue();
    }

    @Test
    void concurrentFailuresEjectOnceAndAnnounceOnce() throws Exception {
        Route r = route(3);
        BackendState s = state(r, 2);
        Concurrently.run(4, () -> fail(r, s, CONNECT_FAILURE, 2_000));
        assertThat(events).containsExactly(ejected(s.backend(), 30, 1, CONNECT_FAILURE));
        assertThat(s.ejectionCount()).isEqualTo(1);

        ticker.advance(Duration.ofSeconds(30));
        Concurrently.run(4, () -> {
            for (int i = 0; i < 500; i++) {
                detector.reportSuccess(r, s);
                detector.sweep(holder.current());
            }
        });
        assertThat(events).hasSize(2).last().isEqualTo(returned(s.backend(), 30, 1));
    }

    @Test
    void concurrentFailuresOnEveryBackendNeverLeaveMoreThanTheCapEjected() throws Exception {
        for (int round = 0; round < 20; round++) {
            holder.update(List.of(app("/r" + round, 2)));
            Route r = holder.current().routeForApp("/r" + round);
            events.clear();
            Concurrently.run(4, () -> {
                for (int i = 0; i < 200; i++) {
                    detector.reportFailure(r, state(r, i % 2), GATEWAY_ERROR);
                }
            });
            assertThat(r.ejectedCount()).isEqualTo(1);
            assertThat(events).hasSize(1);
            assertThat(events.get(0).backend()).isEqualTo(r.backends().stream()
                    .filter(b -> b.isEjected(ticker.nanos())).findFirst().orElseThrow().backend());
        }
    }
}
