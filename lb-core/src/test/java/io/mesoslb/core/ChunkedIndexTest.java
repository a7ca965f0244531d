package io.mesoslb.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The copy-on-write structures under {@link RouteTable}, across many chunks, against plain maps. */
class ChunkedIndexTest {
    record Entry(String key, int value) {
    }

    private static Entry get(SlotIndex<Entry> index, String key) {
        int h = RouteTable.spread(key.hashCode());
        for (int i = h & index.mask(); ; i = (i + 1) & index.mask()) {
            Entry e = index.at(i);
            if (e == null || e.key().equals(key)) {
                return e;
            }
        }
    }

    @Test
    void slotIndexEditsLeaveEarlierVersionsAsTheyWere() {
        Random random = new Random(42);
        SlotIndex<Entry> index = SlotIndex.empty();
        Map<String, Integer> expected = new HashMap<>();
        List<SlotIndex<Entry>> versions = new ArrayList<>();
        List<Map<String, Integer>> snapshots = new ArrayList<>();
        for (int round = 0; round < 60; round++) {
            SlotIndex.Editor<Entry> edit = index.edit(e -> RouteTable.spread(e.key().hashCode()),
                    (a, b) -> a.key().equals(b.key()));
            for (int op = 0; op < 200; op++) {
                String key = "k" + random.nextInt(3_000);
                if (random.nextInt(3) == 0) {
                    edit.remove(new Entry(key, 0));
                    expected.remove(key);
                } else {
                    int value = random.nextInt();
                    edit.put(new Entry(key, value));
                    expected.put(key, value);
                }
            }
            index = edit.freeze();
            versions.add(index);
            snapshots.add(new HashMap<>(expected));
        }
        for (int v = 0; v < versions.size(); v++) {
            SlotIndex<Entry> version = versions.get(v);
            Map<String, Integer> snapshot = snapshots.get(v);
            assertThat(version.size()).isEqualTo(snapshot.size());
            for (int k = 0; k < 3_000; k++) {
                Entry e = get(version, "k" + k);
                assertThat(e == null ? null : e.value()).as("version %d key k%d", v, k).isEqualTo(snapshot.get("k" + k));
            }
        }
        assertThat(index.mask() + 1).isGreaterThan(SlotIndex.CHUNK);
    }

    @Test
    void sortedChunksEditsLeaveEarlierVersionsAsTheyWere() {
        Random random = new Random(7);
        SortedChunks<String, Entry> list = SortedChunks.empty(Entry::key);
        TreeMap<String, Entry> expected = new TreeMap<>();
        List<SortedChunks<String, Entry>> versions = new ArrayList<>();
        List<List<Entry>> snapshots = new ArrayList<>();
        for (int round = 0; round < 60; round++) {
            SortedChunks.Editor<String, Entry> edit = list.edit();
            for (int op = 0; op < 150; op++) {
                String key = String.format("k%05d", random.nextInt(4_000));
                if (random.nextInt(4) == 0) {
                    edit.remove(key);
                    expected.remove(key);
                } else {
                    Entry e = new Entry(key, random.nextInt());
                    edit.put(e);
                    expected.put(key, e);
                }
            }
            list = edit.freeze();
            versions.add(list);
            snapshots.add(List.copyOf(expected.values()));
        }
        for (int v = 0; v < versions.size(); v++) {
            assertThat(versions.get(v).asList()).as("version %d", v).isEqualTo(snapshots.get(v));
        }
        assertThat(SortedChunks.of(snapshots.get(59), Entry::key).asList()).isEqualTo(snapshots.get(59));
    }
}
