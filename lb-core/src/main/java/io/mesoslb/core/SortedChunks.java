package io.mesoslb.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * An immutable list of entries sorted by a unique key, cut into chunks of at most
 * {@value #MAX} entries so that the next version shares every chunk it does not change: an edit
 * copies the array of chunks and the chunks it writes, not the list.
 */
final class SortedChunks<K extends Comparable<? super K>, E> {
    private static final int TARGET = 64;
    private static final int MAX = 2 * TARGET;
    private static final Object[][] NONE = new Object[0][];

    private final Function<E, K> key;
    private final Object[][] chunks;
    /** {@code ends[c]}: how many entries chunks 0..c hold. */
    private final int[] ends;

    private SortedChunks(Function<E, K> key, Object[][] chunks) {
        this.key = key;
        this.chunks = chunks;
        this.ends = new int[chunks.length];
        int n = 0;
        for (int c = 0; c < chunks.length; c++) {
            n += chunks[c].length;
            ends[c] = n;
        }
    }

    /** @param sorted sorted by {@code key}, no key twice */
    static <K extends Comparable<? super K>, E> SortedChunks<K, E> of(List<E> sorted, Function<E, K> key) {
        int n = sorted.size();
        Object[][] chunks = new Object[(n + TARGET - 1) / TARGET][];
        for (int c = 0; c < chunks.length; c++) {
            chunks[c] = sorted.subList(c * TARGET, Math.min(n, (c + 1) * TARGET)).toArray();
        }
        return new SortedChunks<>(key, chunks);
    }

    static <K extends Comparable<? super K>, E> SortedChunks<K, E> empty(Function<E, K> key) {
        return new SortedChunks<>(key, NONE);
    }

    int size() {
        return ends.length == 0 ? 0 : ends[ends.length - 1];
    }

    @SuppressWarnings("unchecked")
    E get(int index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException(index);
        }
        int lo = 0;
        int hi = ends.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] <= index) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return (E) chunks[lo][index - (lo == 0 ? 0 : ends[lo - 1])];
    }

    /** The entries in key order: a read-only view. */
    List<E> asList() {
        return new View<>(this);
    }

    Editor<K, E> edit() {
        return new Editor<>(this);
    }

    private static final class View<E> extends java.util.AbstractList<E> implements java.util.RandomAccess {
        private final SortedChunks<?, E> list;

        View(SortedChunks<?, E> list) {
            this.list = list;
        }

        @Override
        public E get(int index) {
            return list.get(index);
        }

        @Override
        public int size() {
            return list.size();
        }
    }

    /** The next version, built beside this one, which it never writes. */
    static final class Editor<K extends Comparable<? super K>, E> {
        private final SortedChunks<K, E> base;
        private List<Object[]> chunks;
        private Set<Object[]> owned;

        private Editor(SortedChunks<K, E> base) {
            this.base = base;
        }

        private List<Object[]> chunks() {
            if (chunks == null) {
                chunks = new ArrayList<>(base.chunks.length + 1);
                Collections.addAll(chunks, base.chunks);
                owned = Collections.newSetFromMap(new IdentityHashMap<>());
            }
            return chunks;
        }

        @SuppressWarnings("unchecked")
        private int compare(Object entry, K k) {
            return base.key.apply((E) entry).compareTo(k);
        }

        /** The chunk that holds {@code k} or would: the first whose last key is not below it, else the last. */
        private int chunkFor(List<Object[]> cs, K k) {
            int lo = 0;
            int hi = cs.size() - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                Object[] c = cs.get(mid);
                if (compare(c[c.length - 1], k) < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        private int indexIn(Object[] chunk, K k) {
            int lo = 0;
            int hi = chunk.length - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = compare(chunk[mid], k);
                if (c < 0) {
                    lo = mid + 1;
                } else if (c > 0) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return -(lo + 1);
        }

        /** Adds the entry, or replaces the one with its key. */
        void put(E entry) {
            List<Object[]> cs = chunks();
            K k = base.key.apply(entry);
            if (cs.isEmpty()) {
                Object[] first = {entry};
                cs.add(first);
                owned.add(first);
                return;
            }
            int c = chunkFor(cs, k);
            Object[] chunk = cs.get(c);
            int i = indexIn(chunk, k);
            if (i >= 0) {
                if (!owned.contains(chunk)) {
                    chunk = chunk.clone();
                    cs.set(c, chunk);
                    owned.add(chunk);
                }
                chunk[i] = entry;
                return;
            }
            int at = -i - 1;
            Object[] grown = new Object[chunk.length + 1];
            System.arraycopy(chunk, 0, grown, 0, at);
            grown[at] = entry;
            System.arraycopy(chunk, at, grown, at + 1, chunk.length - at);
            owned.remove(chunk);
            if (grown.length <= MAX) {
                cs.set(c, grown);
                owned.add(grown);
                return;
            }
            int half = grown.length / 2;
            Object[] left = java.util.Arrays.copyOfRange(grown, 0, half);
            Object[] right = java.util.Arrays.copyOfRange(grown, half, grown.length);
            cs.set(c, left);
            cs.add(c + 1, right);
            owned.add(left);
            owned.add(right);
        }

        void remove(K k) {
            List<Object[]> cs = chunks();
            if (cs.isEmpty()) {
                return;
            }
            int c = chunkFor(cs, k);
            Object[] chunk = cs.get(c);
            int i = indexIn(chunk, k);
            if (i < 0) {
                return;
            }
            owned.remove(chunk);
            if (chunk.length == 1) {
                cs.remove(c);
                return;
            }
            Object[] shrunk = new Object[chunk.length - 1];
            System.arraycopy(chunk, 0, shrunk, 0, i);
            System.arraycopy(chunk, i + 1, shrunk, i, chunk.length - i - 1);
            cs.set(c, shrunk);
            owned.add(shrunk);
        }

        SortedChunks<K, E> freeze() {
            return chunks == null ? base : new SortedChunks<>(base.key, chunks.toArray(new Object[0][]));
        }
    }
}
