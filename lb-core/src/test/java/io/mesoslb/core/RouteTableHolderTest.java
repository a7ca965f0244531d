package io.mesoslb.core;

import static io.mesoslb.core.Fixtures.app;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RouteTableHolderTest {
    private final RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"));
    private final List<long[]> swaps = new CopyOnWriteArrayList<>();

    RouteTableHolderTest() {
        holder.addListener(change -> swaps.add(new long[] {change.previous().version(), change.current().version()}));
    }

    @Test
    void startsEmpty() {
        assertThat(holder.current()).isSameAs(RouteTable.EMPTY);
        assertThat(holder.current().version()).isZero();
        assertThat(holder.swaps()).isZero();
    }

    @Test
    void swapsOnlyWhenContentChanges() {
        assertThat(holder.update(List.of(app("/a", 2)))).isTrue();
        RouteTable first = holder.current();
        assertThat(first.version()).isEqualTo(1);

        assertThat(holder.update(List.of(app("/a", 2)))).isFalse();
        assertThat(holder.current()).isSameAs(first);

        assertThat(holder.update(List.of(app("/a", 3)))).isTrue();
        assertThat(holder.current().version()).isEqualTo(2);
        assertThat(holder.swaps()).isEqualTo(2);
        assertThat(swaps).containsExactly(new long[] {0, 1}, new long[] {1, 2});
    }

    @Test
    void staticAppsAreRoutedAlongsideEveryUpdate() {
        assertThat(holder.setStaticApps(List.of(app("/_admin/marathon", 1, Fixtures.vhost("marathon.admin.example.com")))))
                .isTrue();
        holder.update(List.of(app("/a", 2)));
        assertThat(holder.current().lookup("marathon.admin.example.com").appId()).isEqualTo("/_admin/marathon");
        assertThat(holder.current().lookup("a.example.com").size()).isEqualTo(2);

        holder.update(List.of(app("/b", 1)));
        assertThat(holder.current().routes()).extracting(Route::appId).containsExactly("/_admin/marathon", "/b");

        assertThat(holder.setStaticApps(List.of())).isTrue();
        assertThat(holder.current().routes()).extracting(Route::appId).containsExactly("/b");
    }

    @Test
    void aStaticAppWinsOverAReportedAppWithItsId() {
        holder.setStaticApps(List.of(app("/x", 1, Fixtures.vhost("static.example.com"))));
        holder.update(List.of(app("/x", 3)));
        assertThat(holder.current().routeForApp("/x").size()).isEqualTo(1);
        assertThat(holder.current().lookup("static.example.com")).isNotNull();
        assertThat(holder.current().lookup("x.example.com")).isNull();
    }

    @Test
    void noReportedAppTakesAStaticAppsHostWholeOrUnderAPath() {
        // The admin vhosts: clients allowed there send their Marathon credentials; no app may take them.
        holder.setStaticApps(List.of(app("/_admin/marathon", 1, Fixtures.vhost("marathon.admin.example.com"))));
        holder.update(List.of(
                app("/0takeover", 1, Fixtures.vhost("marathon.admin.example.com").withWeight(100)),
                app("/pathgrab", 1, Fixtures.vhost("marathon.admin.example.com").withPaths(List.of("/"))),
                // derived: marathon.admin.example.com, under a path
                app("/admin/marathon", 1, RouteSpec.DEFAULT.withPaths(List.of("/v2"))),
                app("/both", 1, Fixtures.vhost("both.example.com,marathon.admin.example.com"))));

        RouteTable t = holder.current();
        assertThat(t.lookup("marathon.admin.example.com", "/").appId()).isEqualTo("/_admin/marathon");
        assertThat(t.lookup("marathon.admin.example.com", "/v2/apps").appId()).isEqualTo("/_admin/marathon");
        assertThat(t.lookup("MARATHON.admin.example.com.", "/x").appId()).isEqualTo("/_admin/marathon");
        assertThat(t.lookup("both.example.com", "/").appId()).isEqualTo("/both");
        assertThat(t.conflicts()).extracting(RouteConflict::winner).containsOnly("/_admin/marathon");
    }

    @Test
    void settingTheSameStaticAppsAgainDoesNotSwap() {
        holder.setStaticApps(List.of(app("/s", 1)));
        long swapsBefore = holder.swaps();
        assertThat(holder.setStaticApps(List.of(app("/s", 1)))).isFalse();
        assertThat(holder.swaps()).isEqualTo(swapsBefore);
    }

    @Test
    void failingListenerDoesNotStopTheSwapOrOtherListeners() {
        List<RouteTable> seen = new ArrayList<>();
        holder.addListener(change -> {
            throw new IllegalStateException("boom");
        });
        holder.addListener(change -> seen.add(change.current()));
        assertThat(holder.update(List.of(app("/a", 1)))).isTrue();
        assertThat(seen).containsExactly(holder.current());
    }

    @Test
    void listenersSeeSwapsInOrderUnderConcurrentWriters() throws Exception {
        int writers = 4;
        int updates = 500;
        Concurrently.run(writers, () -> {
            for (int i = 0; i < updates; i++) {
                holder.update(List.of(app("/w" + Thread.currentThread().getId(), 1 + i % 3)));
            }
        });
        assertThat(swaps).hasSize((int) holder.swaps());
        for (int i = 0; i < swaps.size(); i++) {
            assertThat(swaps.get(i)).containsExactly(i, i + 1);
        }
        assertThat(holder.current().version()).isEqualTo(holder.swaps());
    }

    /**
     * Listeners added while another thread publishes: each sees the table live at its registration
     * (as a whole change from the empty table), then every later table once, in order, up to the last.
     * Each registration races a publication for sure: its first look (the one call not on the
     * publisher's thread) lets the publisher go and waits
     * until that publication is done (it was not held off: the listener will miss it) or the publisher
     * waits for the holder (it was). A seeded number of publications runs freely before each.
     */
    @Test
    void aListenerAddedDuringPublicationsSeesEveryTableOnceInOrder() throws Exception {
        int listeners = 40;
        int[] freeRunning = new Random(20_261_207L).ints(listeners, 0, 30).toArray();
        Semaphore racing = new Semaphore(0);
        AtomicInteger published = new AtomicInteger();
        AtomicReference<Thread> publisher = new AtomicReference<>();
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService thread = Executors.newSingleThreadExecutor();
        List<List<TableChange>> seen = new ArrayList<>();
        try {
            Future<?> publishing = thread.submit(() -> {
                publisher.set(Thread.currentThread());
                start.await();
                int n = 0;
                for (int free : freeRunning) {
                    for (int i = 0; i < free; i++) {
                        publishNext(n++, published);
                    }
                    racing.acquire();
                    publishNext(n++, published);
                }
                return null;
            });
            start.await();
            for (int l = 0; l < listeners; l++) {
                List<TableChange> mine = Collections.synchronizedList(new ArrayList<>());
                seen.add(mine);
                holder.addListenerFromCurrent(change -> {
                    mine.add(change);
                    if (Thread.currentThread() != publisher.get()) {
                        int before = published.get();
                        racing.release();
                        // BLOCKED: waiting for the holder's monitor (parked in the semaphore is WAITING).
                        while (published.get() == before && publisher.get().getState() != Thread.State.BLOCKED) {
                            Thread.onSpinWait();
                        }
                    }
                });
            }
            publishing.get(60, TimeUnit.SECONDS);
        } finally {
            thread.shutdownNow();
        }

        assertThat(holder.swaps()).isEqualTo(published.get());
        for (int l = 0; l < seen.size(); l++) {
            List<TableChange> mine = seen.get(l);
            assertThat(mine.get(0).previous()).as("listener %d first sees the live table whole", l).isSameAs(RouteTable.EMPTY);
            assertThat(firstBreak(mine)).as("listener %d: the first table not following the one before", l).isEqualTo(-1);
            assertThat(mine.get(mine.size() - 1).current()).as("listener %d ends at the last table", l)
                    .isSameAs(holder.current());
        }
    }

    /** A task more or fewer than the publication before: each one is a new table. */
    private void publishNext(int n, AtomicInteger published) {
        holder.update(List.of(app("/a", 1 + n % 5)));
        published.incrementAndGet();
    }

    /** The index of the first change that does not start from the table the one before ended at, or -1. */
    private static int firstBreak(List<TableChange> changes) {
        for (int i = 1; i < changes.size(); i++) {
            if (changes.get(i).previous() != changes.get(i - 1).current()) {
                return i;
            }
        }
        return -1;
    }
}
