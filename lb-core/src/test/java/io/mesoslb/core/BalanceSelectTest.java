package io.mesoslb.core;

import static io.mesoslb.core.Fixtures.app;
import static io.mesoslb.core.Fixtures.backend;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BalanceSelectTest {
    private final FakeTicker ticker = new FakeTicker();
    private final RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"), ticker);

    private Route route(int tasks) {
        holder.update(List.of(app("/x", tasks)));
        return holder.current().routeForApp("/x");
    }

    /** Counts by task index; {@code select} gets the pick's number (a client hash for SOURCE). */
    private static Map<Integer, Integer> pick(IntFunction<BackendState> select, int times) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < times; i++) {
            counts.merge(index(select.apply(i)), 1, Integer::sum);
        }
        return counts;
    }

    private static int index(BackendState s) {
        return s.backend().port() - 31_000;
    }

    private static Map<Integer, Integer> counts(int... indexThenCount) {
        Map<Integer, Integer> m = new HashMap<>();
        for (int i = 0; i < indexThenCount.length; i += 2) {
            m.put(indexThenCount[i], indexThenCount[i + 1]);
        }
        return m;
    }

    private void eject(Route r, int index) {
        r.backends().get(index).ejectUntil(ticker.nanos() + Duration.ofSeconds(30).toNanos());
    }

    private static void load(Route r, int index, int inFlight) {
        for (int i = 0; i < inFlight; i++) {
            r.backends().get(index).acquired();
        }
    }

    // --- every mode

    @ParameterizedTest
    @EnumSource(Balance.class)
    void ejectedBackendsAreNeverChosen(Balance balance) {
        Route r = route(3);
        eject(r, 1);
        assertThat(pick(i -> r.select(balance, i), 3_000)).containsOnlyKeys(0, 2);
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void ejectedBackendsAreChosenAgainWhenTheirTimeIsUp(Balance balance) {
        Route r = route(3);
        eject(r, 1);
        ticker.advance(Duration.ofSeconds(30));
        assertThat(pick(i -> r.select(balance, i), 3_000)).containsOnlyKeys(0, 1, 2);
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void whenAllAreEjectedEveryBackendStillServes(Balance balance) {
        Route r = route(3);
        for (int i = 0; i < 3; i++) {
            eject(r, i);
        }
        assertThat(pick(i -> r.select(balance, i), 3_000)).containsOnlyKeys(0, 1, 2);
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void theBackendARequestFailedOnIsAvoidedWheneverAnotherIsAvailable(Balance balance) {
        Route r = route(3);
        Backend failed = backend("/x", 1);
        assertThat(pick(i -> r.select(balance, i, failed), 3_000)).containsOnlyKeys(0, 2);

        eject(r, 0);
        assertThat(pick(i -> r.select(balance, i, failed), 300)).containsOnlyKeys(2);

        // Only ejected backends besides the failed one: an ejected one beats retrying the failure.
        eject(r, 2);
        assertThat(pick(i -> r.select(balance, i, failed), 300)).containsOnlyKeys(0, 2);
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void aSingleBackendIsReturnedEvenWhenExcludedOrEjected(Balance balance) {
        Route r = route(1);
        eject(r, 0);
        assertThat(r.select(balance, 7, backend("/x", 0)).backend()).isEqualTo(backend("/x", 0));
        assertThat(r.select(balance, 7).backend()).isEqualTo(backend("/x", 0));
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void anEmptyRouteSelectsNothing(Balance balance) {
        assertThat(route(0).select(balance, 7)).isNull();
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void selectionAllocatesNothing(Balance balance) {
        Route r = route(5);
        eject(r, 3); // the slow paths too
        Backend failed = backend("/x", 1);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) {
            r.select(balance, i, (i & 1) == 0 ? null : failed);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 20_000; i++) {
            r.select(balance, i, (i & 1) == 0 ? null : failed);
        }
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(1_000);
    }

    // --- round robin

    @Test
    void roundRobinIsTheRouteRotation() {
        Route r = route(3);
        for (int i = 0; i < 30; i++) {
            BackendState s = i % 2 == 0 ? r.select(Balance.ROUND_ROBIN, 0) : r.select();
            assertThat(s).isSameAs(r.backends().get(i % 3));
        }
    }

    // --- least connections

    @Test
    void leastConnWithIdleBackendsIsExactlyRoundRobin() {
        Route r = route(3);
        assertThat(pick(i -> r.select(Balance.LEAST_CONN, 0), 300)).isEqualTo(counts(0, 100, 1, 100, 2, 100));
    }

    @Test
    void leastConnPicksTheFewestInFlight() {
        Route r = route(3);
        load(r, 0, 2);
        load(r, 1, 1);
        assertThat(pick(i -> r.select(Balance.LEAST_CONN, 0), 30)).isEqualTo(counts(2, 30));
    }

    @Test
    void leastConnDealsTiesInTurnEvenWhenABusyBackendSitsBetweenThem() {
        Route r = route(3);
        load(r, 1, 1);
        // A rotating start with "first least wins" would give backend 2 two picks in three.
        assertThat(pick(i -> r.select(Balance.LEAST_CONN, 0), 300)).isEqualTo(counts(0, 150, 2, 150));
    }

    @Test
    void leastConnFillsUpEvenlyWhenNothingCompletes() {
        Route r = route(3);
        load(r, 0, 4);
        Map<Integer, Integer> picks = pick(i -> {
            BackendState s = r.select(Balance.LEAST_CONN, 0);
            s.acquired();
            return s;
        }, 14);
        assertThat(picks).isEqualTo(counts(0, 2, 1, 6, 2, 6));
        assertThat(r.backends()).extracting(BackendState::inFlight).containsExactly(6, 6, 6);
    }

    @Test
    void leastConnSkipsAnIdleEjectedBackendAndIgnoresEjectionOnlyWhenAllAreOut() {
        Route r = route(3);
        load(r, 1, 3);
        load(r, 2, 1);
        eject(r, 0);
        assertThat(pick(i -> r.select(Balance.LEAST_CONN, 0), 30)).isEqualTo(counts(2, 30));
        eject(r, 1);
        eject(r, 2);
        assertThat(pick(i -> r.select(Balance.LEAST_CONN, 0), 30)).isEqualTo(counts(0, 30));
    }

    // --- source

    @Test
    void sourceKeepsEachClientOnOneBackendAcrossTableSwaps() {
        Route r = route(3);
        Map<Integer, Integer> home = new HashMap<>();
        for (int client = 0; client < 1_000; client++) {
            home.put(client, index(r.select(Balance.SOURCE, client)));
        }
        for (int swap = 0; swap < 5; swap++) {
            holder.update(List.of(app("/x", 3), app("/other", 1 + swap)));
            Route now = holder.current().routeForApp("/x");
            for (int client = 0; client < 1_000; client++) {
                assertThat(index(now.select(Balance.SOURCE, client))).isEqualTo(home.get(client));
            }
        }
    }

    @Test
    void sourceSpreadsClientsEvenlyEvenWhenAddressesStepByTheRouteSize() {
        Route r = route(3);
        // IPv4 hashCode() is the address: 10.0.0.0, 10.0.0.3, 10.0.0.6, ... would all land on one
        // backend under a plain modulo.
        Map<Integer, Integer> counts = pick(i -> r.select(Balance.SOURCE, 0x0a000000 + 3 * i), 30_000);
        assertThat(counts).containsOnlyKeys(0, 1, 2);
        counts.values().forEach(c -> assertThat(c.doubleValue()).isCloseTo(10_000, within(600.0)));
    }

    @Test
    void anEjectionMovesOnlyTheEjectedBackendsClientsAndOnlyWhileItLasts() {
        Route r = route(4);
        int[] home = new int[4_000];
        for (int client = 0; client < home.length; client++) {
            home[client] = index(r.select(Balance.SOURCE, client));
        }
        eject(r, 2);
        Map<Integer, Integer> displacedTo = new HashMap<>();
        for (int client = 0; client < home.length; client++) {
            int now = index(r.select(Balance.SOURCE, client));
            if (home[client] != 2) {
                assertThat(now).isEqualTo(home[client]);
            } else {
                displacedTo.merge(now, 1, Integer::sum);
                assertThat(index(r.select(Balance.SOURCE, client))).as("still sticky").isEqualTo(now);
            }
        }
        assertThat(displacedTo).containsOnlyKeys(0, 1, 3);
        displacedTo.values().forEach(c -> assertThat(c).isGreaterThan(200));

        ticker.advance(Duration.ofSeconds(30));
        for (int client = 0; client < home.length; client++) {
            assertThat(index(r.select(Balance.SOURCE, client))).isEqualTo(home[client]);
        }
    }

    @Test
    void sourceKeepsClientsHomeWhenEveryBackendIsEjected() {
        Route r = route(3);
        int[] home = new int[300];
        for (int client = 0; client < home.length; client++) {
            home[client] = index(r.select(Balance.SOURCE, client));
        }
        for (int i = 0; i < 3; i++) {
            eject(r, i);
        }
        for (int client = 0; client < home.length; client++) {
            assertThat(index(r.select(Balance.SOURCE, client))).isEqualTo(home[client]);
        }
    }

    // --- least request (two random choices)

    @Test
    void leastRequestWithIdleBackendsSpreadsEvenly() {
        Route r = route(3);
        Map<Integer, Integer> counts = pick(i -> r.select(Balance.LEAST_REQUEST, 0), 30_000);
        assertThat(counts).containsOnlyKeys(0, 1, 2);
        counts.values().forEach(c -> assertThat(c.doubleValue()).isCloseTo(10_000, within(600.0)));
    }

    @Test
    void leastRequestNeverPicksTheBusiestAndFavoursTheIdlest() {
        Route r = route(3);
        load(r, 0, 5);
        load(r, 1, 1);
        // Pairs {0,1} -> 1, {0,2} -> 2, {1,2} -> 2: the busiest loses every pair it is drawn in.
        Map<Integer, Integer> counts = pick(i -> r.select(Balance.LEAST_REQUEST, 0), 30_000);
        assertThat(counts).containsOnlyKeys(1, 2);
        assertThat(counts.get(2).doubleValue()).isCloseTo(20_000, within(600.0));
    }

    @Test
    void leastRequestBetweenTwoAlwaysTakesTheLighter() {
        Route r = route(2);
        load(r, 0, 1);
        assertThat(pick(i -> r.select(Balance.LEAST_REQUEST, 0), 100)).isEqualTo(counts(1, 100));
    }

    @Test
    void leastRequestDrawsAmongTheEligibleOnlyWhenSomeAreEjected() {
        Route r = route(4);
        eject(r, 0);
        load(r, 3, 1);
        // Eligible pairs {1,2} {1,3} {2,3}: 1 wins a third of the time plus half of {1,2} on the draw order.
        Map<Integer, Integer> counts = pick(i -> r.select(Balance.LEAST_REQUEST, 0), 30_000);
        assertThat(counts).containsOnlyKeys(1, 2);
        assertThat(counts.get(1).doubleValue()).isCloseTo(15_000, within(700.0));
    }
}
