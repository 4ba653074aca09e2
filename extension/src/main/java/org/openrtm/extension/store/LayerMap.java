package org.openrtm.extension.store;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * One keyspace's share of an in-memory layer of the {@link Store}: byte-array keys in unsigned order. Written by the
 * store's writer thread only; read by any thread (weakly consistent, like a concurrent skip list: a read sees every
 * write completed before it started).
 *
 * @param <V> the value type
 */
interface LayerMap<V> {

    @Nullable V get(byte @NotNull [] key);

    /** @return the previous value, or {@code null} if the key was absent */
    @Nullable V put(byte @NotNull [] key, @NotNull V value);

    /** @return the previous value, or {@code null} if the key was absent */
    @Nullable V remove(byte @NotNull [] key);

    /**
     * The entries with {@code from <= key < to}, in key order or reverse; removals (tombstone values) included, so
     * that a reader merging layers sees every one of them.
     */
    @NotNull Iterator<Map.Entry<byte[], V>> range(byte @NotNull [] from, byte @Nullable [] to, boolean descending);

    /** Every entry, in key order. */
    default @NotNull Iterator<Map.Entry<byte[], V>> all() {
        return range(new byte[0], null, false);
    }

    /** A plain concurrent skip list: for keyspaces whose writes land anywhere. */
    final class Sorted<V> implements LayerMap<V> {

        private final ConcurrentSkipListMap<byte[], V> map = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);

        @Override
        public @Nullable V get(final byte @NotNull [] key) {
            return map.get(key);
        }

        @Override
        public @Nullable V put(final byte @NotNull [] key, final @NotNull V value) {
            return map.put(key, value);
        }

        @Override
        public @Nullable V remove(final byte @NotNull [] key) {
            return map.remove(key);
        }

        @Override
        public @NotNull Iterator<Map.Entry<byte[], V>> range(final byte @NotNull [] from, final byte @Nullable [] to,
                                                             final boolean descending) {
            final NavigableMap<byte[], V> r = to == null ? map.tailMap(from, true) : map.subMap(from, true, to, false);
            return (descending ? r.descendingMap() : r).entrySet().iterator();
        }
    }

    /**
     * For keyspaces whose keys name a group in their first bytes, up to and including the first 0 byte (a history
     * conversation), and are written mostly in ascending order within their group (history records, by time). Each
     * group is a sorted array, found through a hash map: a write is a hash lookup and, in the usual case, an append,
     * instead of a descent through a skip list of every group's keys (measured: docs/benchmarks.md, finding 11).
     *
     * <p>Key order is kept across groups: a group's prefix is a prefix of each of its keys and contains no 0 byte before
     * its end, so two groups' keys compare as their prefixes do, and a key without a 0 byte is a group of its own.
     */
    final class Grouped<V> implements LayerMap<V> {

        /** A group's prefix: {@code length} bytes of {@code bytes}. */
        private static final class Prefix {
            final byte[] bytes;
            final int length;
            final int hash;

            Prefix(final byte[] bytes, final int length) {
                this.bytes = bytes;
                this.length = length;
                int h = 1;
                for (int i = 0; i < length; i++) {
                    h = 31 * h + bytes[i];
                }
                this.hash = h;
            }

            @Override
            public int hashCode() {
                return hash;
            }

            @Override
            public boolean equals(final Object o) {
                return o instanceof Prefix && Arrays.equals(bytes, 0, length, ((Prefix) o).bytes, 0, ((Prefix) o).length);
            }
        }

        /** A key and its current value. */
        private static final class Slot<V> implements Map.Entry<byte[], V> {
            final byte[] key;
            volatile V value;

            Slot(final byte[] key, final V value) {
                this.key = key;
                this.value = value;
            }

            @Override
            public byte[] getKey() {
                return key;
            }

            @Override
            public V getValue() {
                return value;
            }

            @Override
            public V setValue(final V v) {
                throw new UnsupportedOperationException();
            }
        }

        /**
         * One group's keys; guarded by itself. Keys written in ascending order (the usual case) are appended to a sorted
         * array; a key that would land inside it (a late record, a removal marker for an old one) goes to a small sorted
         * map beside it instead, so that no write moves the array. Reads merge the two.
         */
        private static final class Run<V> {
            private final ArrayList<Slot<V>> slots = new ArrayList<>();
            private TreeMap<byte[], Slot<V>> overflow; // created on the first out-of-order key

            /** The index of {@code key} in the array, or {@code -(insertion point) - 1}; appends are found first. */
            private int find(final byte[] key) {
                final int n = slots.size();
                if (n == 0) {
                    return -1;
                }
                final int last = Arrays.compareUnsigned(slots.get(n - 1).key, key);
                if (last < 0) {
                    return -n - 1;
                }
                if (last == 0) {
                    return n - 1;
                }
                int lo = 0;
                int hi = n - 2;
                while (lo <= hi) {
                    final int mid = (lo + hi) >>> 1;
                    final int c = Arrays.compareUnsigned(slots.get(mid).key, key);
                    if (c < 0) {
                        lo = mid + 1;
                    } else if (c > 0) {
                        hi = mid - 1;
                    } else {
                        return mid;
                    }
                }
                return -lo - 1;
            }

            /** The first index whose key is at or after {@code bound}. */
            private int lowerBound(final byte[] bound) {
                final int i = find(bound);
                return i >= 0 ? i : -i - 1;
            }

            /** The slot of {@code key} in the array (at {@code i}, from {@link #find}) or the overflow, or null. */
            private Slot<V> slot(final byte[] key, final int i) {
                return i >= 0 ? slots.get(i) : overflow == null ? null : overflow.get(key);
            }

            synchronized V get(final byte[] key) {
                final Slot<V> s = slot(key, find(key));
                return s == null ? null : s.value;
            }

            synchronized V put(final byte[] key, final V value) {
                final int i = find(key);
                Slot<V> s = slot(key, i);
                if (s != null) {
                    final V old = s.value;
                    s.value = value;
                    return old;
                }
                s = new Slot<>(key, value);
                if (-i - 1 == slots.size()) {
                    slots.add(s);
                } else {
                    if (overflow == null) {
                        overflow = new TreeMap<>(Arrays::compareUnsigned);
                    }
                    overflow.put(key, s);
                }
                return null;
            }

            synchronized V remove(final byte[] key) {
                final int i = find(key);
                final Slot<V> s = i >= 0 ? slots.remove(i) : overflow == null ? null : overflow.remove(key);
                return s == null ? null : s.value;
            }

            /** A copy of the slots in {@code [from, to)}, in order or reverse. */
            @SuppressWarnings("unchecked")
            synchronized Slot<V>[] copy(final byte[] from, final byte[] to, final boolean descending) {
                final int lo = lowerBound(from);
                final int hi = to == null ? slots.size() : Math.max(lo, lowerBound(to));
                final Collection<Slot<V>> extra = overflow == null || overflow.isEmpty() ? List.of()
                        : (to == null ? overflow.tailMap(from, true) : overflow.subMap(from, true, to, false)).values();
                final Slot<V>[] out = new Slot[hi - lo + extra.size()];
                // merge the array's range and the overflow's, both ascending
                final Iterator<Slot<V>> x = extra.iterator();
                Slot<V> next = x.hasNext() ? x.next() : null;
                int a = lo;
                for (int k = 0; k < out.length; k++) {
                    if (next != null && (a == hi || Arrays.compareUnsigned(next.key, slots.get(a).key) < 0)) {
                        out[k] = next;
                        next = x.hasNext() ? x.next() : null;
                    } else {
                        out[k] = slots.get(a++);
                    }
                }
                if (descending) {
                    for (int l = 0, r = out.length - 1; l < r; l++, r--) {
                        final Slot<V> t = out[l];
                        out[l] = out[r];
                        out[r] = t;
                    }
                }
                return out;
            }
        }

        private final ConcurrentHashMap<Prefix, Run<V>> groups = new ConcurrentHashMap<>();
        /** The same runs, by prefix in key order: for range reads. */
        private final ConcurrentSkipListMap<byte[], Run<V>> ordered = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);

        /** The length of a key's group prefix: up to and including its first 0 byte, or all of it. */
        static int prefixLength(final byte[] key) {
            for (int i = 0; i < key.length; i++) {
                if (key[i] == 0) {
                    return i + 1;
                }
            }
            return key.length;
        }

        private Run<V> run(final byte[] key) {
            return groups.get(new Prefix(key, prefixLength(key)));
        }

        @Override
        public @Nullable V get(final byte @NotNull [] key) {
            final Run<V> r = run(key);
            return r == null ? null : r.get(key);
        }

        @Override
        public @Nullable V put(final byte @NotNull [] key, final @NotNull V value) {
            final Prefix p = new Prefix(key, prefixLength(key));
            Run<V> r = groups.get(p);
            if (r == null) {
                // writer thread only: no other thread creates runs
                r = new Run<>();
                ordered.put(Arrays.copyOf(key, p.length), r);
                groups.put(p, r);
            }
            return r.put(key, value);
        }

        @Override
        public @Nullable V remove(final byte @NotNull [] key) {
            final Run<V> r = run(key);
            return r == null ? null : r.remove(key);
        }

        @Override
        public @NotNull Iterator<Map.Entry<byte[], V>> range(final byte @NotNull [] from, final byte @Nullable [] to,
                                                             final boolean descending) {
            // a key at or after 'from' is in a group at or after from's own group prefix; a group at or after 'to'
            // holds only keys at or after it
            final byte[] first = Arrays.copyOf(from, prefixLength(from));
            if (to != null && Arrays.compareUnsigned(first, to) >= 0) {
                return Collections.emptyIterator();
            }
            final NavigableMap<byte[], Run<V>> span = to == null ? ordered.tailMap(first, true)
                    : ordered.subMap(first, true, to, false);
            final Iterator<Run<V>> runs = (descending ? span.descendingMap() : span).values().iterator();
            return new Iterator<>() {
                private Slot<V>[] current;
                private int at;

                @Override
                public boolean hasNext() {
                    while (current == null || at == current.length) {
                        if (!runs.hasNext()) {
                            return false;
                        }
                        current = runs.next().copy(from, to, descending);
                        at = 0;
                    }
                    return true;
                }

                @Override
                public Map.Entry<byte[], V> next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return current[at++];
                }
            };
        }
    }
}
