package io.mesoslb.core;

import static io.mesoslb.core.Fixtures.app;
import static io.mesoslb.core.Fixtures.backend;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class RouteSelectTest {
    private final FakeTicker ticker = new FakeTicker();
    private final RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"), ticker);

    private Route route(int tasks) {
        holder.update(List.of(app("/x", tasks)));
        return holder.current().routeForApp("/x");
    }

    private static Map<Backend, Integer> pick(Supplier<BackendState> select, int times) {
        Map<Backend, Integer> counts = new HashMap<>();
        for (int i = 0; i < times; i++) {
            counts.merge(select.get().backend(), 1, Integer::sum);
        }
        return counts;
    }

    private static Map<Backend, Integer> expect(Object... backendThenCount) {
        Map<Backend, Integer> m = new HashMap<>();
        for (int i = 0; i < backendThenCount.length; i += 2) {
            m.put((Backend) backendThenCount[i], (Integer) backendThenCount[i + 1]);
        }
        return m;
    }

    private void eject(Route r, int index) {
        r.backends().get(index).ejectUntil(ticker.nanos() + Duration.ofSeconds(30).toNanos());
    }

    @Test
    void roundRobinIsExactlyFair() {
        Route r = route(3);
        assertThat(pick(r::select, 300)).isEqualTo(expect(backend("/x", 0), 100, backend("/x", 1), 100, backend("/x", 2), 100));
    }

    @Test
    void consecutivePicksVisitEveryBackendOncePerRound() {
        Route r = route(5);
        for (int round = 0; round < 3; round++) {
            Set<Backend> seen = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                seen.add(r.select().backend());
            }
            assertThat(seen).hasSize(5);
        }
    }

    @Test
    void concurrentCallersShareOneExactRotation() throws Exception {
        Route r = route(3);
        int threads = 4;
        int picks = 3_000;
        Map<Backend, Integer> total = new HashMap<>();
        for (Map<Backend, Integer> counts : Concurrently.call(threads, () -> pick(r::select, picks))) {
            counts.forEach((b, n) -> total.merge(b, n, Integer::sum));
        }
        assertThat(total).isEqualTo(expect(backend("/x", 0), 4_000, backend("/x", 1), 4_000, backend("/x", 2), 4_000));
    }

    @Test
    void rotationSurvivesTableSwapsCausedByOtherApps() {
        route(3);
        Map<Backend, Integer> counts = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            // Every pick comes from a fresh snapshot: a reset cursor would send all 300 to one backend.
            holder.update(List.of(app("/x", 3), app("/other", 1 + i % 2)));
            counts.merge(holder.current().routeForApp("/x").select().backend(), 1, Integer::sum);
        }
        assertThat(counts).isEqualTo(expect(backend("/x", 0), 100, backend("/x", 1), 100, backend("/x", 2), 100));
    }

    @Test
    void addingABackendKeepsTheRotationEvenWithoutABurst() {
        Route before = route(3);
        pick(before::select, 7);
        Route after = route(4);
        assertThat(after).isNotSameAs(before);
        for (int round = 0; round < 100; round++) {
            Set<Backend> seen = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                seen.add(after.select().backend());
            }
            assertThat(seen).as("round %d", round).hasSize(4);
        }
    }

    @Test
    void ejectedBackendIsSkippedAndItsShareSpreadEvenly() {
        Route r = route(3);
        eject(r, 1);
        assertThat(pick(r::select, 300)).isEqualTo(expect(backend("/x", 0), 150, backend("/x", 2), 150));

        Route four = route(4);
        eject(four, 1);
        eject(four, 2);
        assertThat(pick(four::select, 400)).isEqualTo(expect(backend("/x", 0), 200, backend("/x", 3), 200));

        Route five = route(5);
        five.backends().forEach(BackendState::clearEjection); // states carried over from the table above
        eject(five, 0);
        assertThat(pick(five::select, 400)).isEqualTo(
                expect(backend("/x", 1), 100, backend("/x", 2), 100, backend("/x", 3), 100, backend("/x", 4), 100));
    }

    @Test
    void ejectedBackendReturnsWhenItsTimeIsUp() {
        Route r = route(2);
        eject(r, 0);
        assertThat(pick(r::select, 10)).containsOnlyKeys(backend("/x", 1));
        ticker.advance(Duration.ofSeconds(30));
        assertThat(pick(r::select, 10)).isEqualTo(expect(backend("/x", 0), 5, backend("/x", 1), 5));
    }

    @Test
    void whenAllAreEjectedThePlainRotationStillServes() {
        Route r = route(3);
        for (int i = 0; i < 3; i++) {
            eject(r, i);
        }
        assertThat(pick(r::select, 300)).isEqualTo(expect(backend("/x", 0), 100, backend("/x", 1), 100, backend("/x", 2), 100));
    }

    @Test
    void selectAvoidsTheExcludedBackendWheneverAnotherIsAvailable() {
        Route r = route(3);
        Backend failed = backend("/x", 1);
        assertThat(pick(() -> r.select(failed), 300)).isEqualTo(expect(backend("/x", 0), 150, backend("/x", 2), 150));

        eject(r, 0);
        assertThat(pick(() -> r.select(failed), 30)).containsOnlyKeys(backend("/x", 2));

        // Only ejected backends besides the excluded one: an ejected one beats retrying the failure.
        eject(r, 2);
        assertThat(pick(() -> r.select(failed), 30)).doesNotContainKey(failed);
    }

    @Test
    void singleBackendIsReturnedEvenWhenExcludedOrEjected() {
        Route r = route(1);
        eject(r, 0);
        assertThat(r.select(backend("/x", 0)).backend()).isEqualTo(backend("/x", 0));
        assertThat(r.select().backend()).isEqualTo(backend("/x", 0));
    }

    @Test
    void emptyRouteSelectsNothing() {
        holder.update(List.of(new App("/x", List.of())));
        assertThat(holder.current().routeForApp("/x").select()).isNull();
    }
}
