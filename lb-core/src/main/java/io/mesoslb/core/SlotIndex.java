package io.mesoslb.core;

import java.util.Arrays;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * An immutable open-addressing hash table (linear probing) cut into chunks of {@value #CHUNK}
 * slots, so that the next version can share every chunk it does not change: an edit copies the
 * array of chunks (one reference per {@value #CHUNK} slots) and the chunks it writes, not the table.
 * Readers probe it with {@link #at(int)} and {@link #mask()}, without allocating; what an entry's
 * key is, and how it hashes, is the caller's business (the same functions for every version).
 */
final class SlotIndex<E> {
    private static final int SHIFT = 8;
    static final int CHUNK = 1 << SHIFT;
    private static final Object[][] NO_CHUNKS = {new Object[4]};
    private static final SlotIndex<?> EMPTY = new SlotIndex<>(NO_CHUNKS, 3, 0);

    private final Object[][] chunks;
    private final int mask;
    private final int chunkMask;
    private final int size;

    private SlotIndex(Object[][] chunks, int mask, int size) {
        this.chunks = chunks;
        this.mask = mask;
        this.chunkMask = Math.min(mask, CHUNK - 1);
        this.size = size;
    }

    @SuppressWarnings("unchecked")
    static <E> SlotIndex<E> empty() {
        return (SlotIndex<E>) EMPTY;
    }

    /** The entries at their hashes; an entry whose key is already there replaces it. */
    static <E> SlotIndex<E> of(Iterable<E> entries, int count, ToIntFunction<E> hash, BiPredicate<E, E> sameKey) {
        Editor<E> e = new Editor<>(new SlotIndex<>(newChunks(capacityFor(count)), capacityFor(count) - 1, 0),
                hash, sameKey);
        for (E entry : entries) {
            e.put(entry);
        }
        return e.freeze();
    }

    /** The slot mask: probe from {@code hash & mask()}, stepping by one, until an empty slot. */
    int mask() {
        return mask;
    }

    /** The entry in slot {@code i}, or null for an empty slot. */
    @SuppressWarnings("unchecked")
    E at(int i) {
        return (E) chunks[i >>> SHIFT][i & chunkMask];
    }

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    void forEach(Consumer<? super E> action) {
        for (Object[] chunk : chunks) {
            for (Object o : chunk) {
                if (o != null) {
                    action.accept((E) o);
                }
            }
        }
    }

    Editor<E> edit(ToIntFunction<E> hash, BiPredicate<E, E> sameKey) {
        return new Editor<>(this, hash, sameKey);
    }

    private static int capacityFor(int count) {
        return Integer.highestOneBit(Math.max(4, count * 2 - 1)) << 1;
    }

    private static Object[][] newChunks(int capacity) {
        int len = Math.min(capacity, CHUNK);
        Object[][] c = new Object[Math.max(1, capacity / len)][];
        for (int i = 0; i < c.length; i++) {
            c[i] = new Object[len];
        }
        return c;
    }

    /**
     * The next version, built beside the one it starts from (which it never writes): copies a chunk
     * the first time it writes into it; grows (a whole new table) when half full.
     */
    static final class Editor<E> {
        private final ToIntFunction<E> hash;
        private final BiPredicate<E, E> sameKey;
        private final SlotIndex<E> base;
        private Object[][] chunks;
        private boolean[] owned;
        private int mask;
        private int chunkMask;
        private int size;

        private Editor(SlotIndex<E> base, ToIntFunction<E> hash, BiPredicate<E, E> sameKey) {
            this.base = base;
            this.hash = hash;
            this.sameKey = sameKey;
            this.chunks = base.chunks;
            this.mask = base.mask;
            this.chunkMask = base.chunkMask;
            this.size = base.size;
        }

        @SuppressWarnings("unchecked")
        private E at(int i) {
            return (E) chunks[i >>> SHIFT][i & chunkMask];
        }

        private void set(int i, E e) {
            int c = i >>> SHIFT;
            if (owned == null) {
                chunks = chunks.clone();
                owned = new boolean[chunks.length];
            }
            if (!owned[c]) {
                chunks[c] = chunks[c].clone();
                owned[c] = true;
            }
            chunks[c][i & chunkMask] = e;
        }

        /** The slot holding the entry with {@code probe}'s key, or -1. */
        private int find(E probe) {
            for (int i = hash.applyAsInt(probe) & mask; ; i = (i + 1) & mask) {
                E e = at(i);
                if (e == null) {
                    return -1;
                }
                if (sameKey.test(e, probe)) {
                    return i;
                }
            }
        }

        /** The entry with {@code probe}'s key, or null. */
        E get(E probe) {
            int i = find(probe);
            return i < 0 ? null : at(i);
        }

        void put(E entry) {
            int i = find(entry);
            if (i >= 0) {
                set(i, entry);
                return;
            }
            if ((size + 1) * 2 > mask + 1) {
                grow();
            }
            i = hash.applyAsInt(entry) & mask;
            while (at(i) != null) {
                i = (i + 1) & mask;
            }
            set(i, entry);
            size++;
        }

        /** Removes the entry with {@code probe}'s key, if any, moving back the entries probed past it. */
        void remove(E probe) {
            int i = find(probe);
            if (i < 0) {
                return;
            }
            set(i, null);
            size--;
            int hole = i;
            for (int k = (i + 1) & mask; ; k = (k + 1) & mask) {
                E e = at(k);
                if (e == null) {
                    return;
                }
                int home = hash.applyAsInt(e) & mask;
                // Move e into the hole unless its home lies cyclically in (hole, k].
                if (((k - home) & mask) >= ((k - hole) & mask)) {
                    set(hole, e);
                    set(k, null);
                    hole = k;
                }
            }
        }

        @SuppressWarnings("unchecked")
        private void grow() {
            Object[][] old = chunks;
            int capacity = (mask + 1) * 2;
            chunks = newChunks(capacity);
            owned = new boolean[chunks.length];
            Arrays.fill(owned, true);
            mask = capacity - 1;
            chunkMask = Math.min(mask, CHUNK - 1);
            for (Object[] chunk : old) {
                for (Object o : chunk) {
                    if (o != null) {
                        int i = hash.applyAsInt((E) o) & mask;
                        while (at(i) != null) {
                            i = (i + 1) & mask;
                        }
                        chunks[i >>> SHIFT][i & chunkMask] = o;
                    }
                }
            }
        }

        SlotIndex<E> freeze() {
            return owned == null ? base : new SlotIndex<>(chunks, mask, size);
        }
    }
}
