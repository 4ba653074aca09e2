package org.openrtm.extension.store;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.AbstractMap;
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
     * Turns a value into bytes and back, for a map that keeps its entries in byte arrays ({@link Grouped}).
     *
     * @param <V> the value type
     */
    interface Codec<V> {
        int size(@NotNull V value);

        void write(@NotNull V value, byte @NotNull [] to, int at);

        @NotNull V read(byte @NotNull [] from, int at, int length);
    }

    /**
     * For keyspaces whose keys name a group in their first bytes, up to and including the first 0 byte (a history
     * conversation), and are written mostly in ascending order within their group (history records, by time). Each
     * group is a sorted array, found through a hash map: a write is a hash lookup and, in the usual case, an append,
     * instead of a descent through a skip list of every group's keys (measured: docs/benchmarks.md, finding 11).
     *
     * <p>The entries themselves (key and encoded value) are appended to large shared byte arrays (the arena), and a
     * group's array holds only their positions (one {@code long} each). So a layer of a hundred thousand records is a
     * few large arrays of bytes for the garbage collector, not four small objects per record that each young
     * collection has to trace and copy while the layer waits for its checkpoint (docs/benchmarks.md, finding 12).
     * Arena chunks of at least half a G1 region are allocated outside the young generation and never copied.
     * Replacing an entry appends it again (the old bytes stay until the layer is dropped); reads decode copies.
     *
     * <p>Key order is kept across groups: a group's prefix is a prefix of each of its keys and contains no 0 byte before
     * its end, so two groups' keys compare as their prefixes do, and a key without a 0 byte is a group of its own.
     */
    final class Grouped<V> implements LayerMap<V> {

        /** Bytes per arena chunk: 4 MiB, at least half a G1 region for heaps up to 16 GiB (so "humongous"). */
        static final int CHUNK = 4 << 20;

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

        /**
         * Where the entries live: chunks of bytes, each entry {@code [key length][value length][key][value]}, found
         * by its position {@code chunk << 32 | offset}. Appended by the writer thread only; a reader finds a position
         * under its group's monitor, which the writer took after appending, so it sees the bytes and the chunk.
         */
        private final class Arena {
            private volatile byte[][] chunks = new byte[4][];
            private int count;
            private byte[] current;
            private int used;

            long append(final byte[] key, final V value) {
                final int length = 8 + key.length + codec.size(value);
                if (current == null || used + length > current.length) {
                    current = new byte[Math.max(chunkBytes, length)];
                    used = 0;
                    byte[][] c = chunks;
                    if (count == c.length) {
                        c = Arrays.copyOf(c, count * 2);
                    }
                    c[count++] = current;
                    chunks = c; // publish the new chunk before any position in it
                }
                final byte[] b = current;
                final int at = used;
                putInt(b, at, key.length);
                putInt(b, at + 4, length - 8 - key.length);
                System.arraycopy(key, 0, b, at + 8, key.length);
                codec.write(value, b, at + 8 + key.length);
                used += length;
                return (long) (count - 1) << 32 | at;
            }

            /** Compares the key at {@code pos} with {@code key}, unsigned. */
            int compare(final long pos, final byte[] key) {
                final byte[] b = chunks[(int) (pos >>> 32)];
                final int at = (int) pos;
                return Arrays.compareUnsigned(b, at + 8, at + 8 + getInt(b, at), key, 0, key.length);
            }

            byte[] key(final long pos) {
                final byte[] b = chunks[(int) (pos >>> 32)];
                final int at = (int) pos;
                return Arrays.copyOfRange(b, at + 8, at + 8 + getInt(b, at));
            }

            V value(final long pos) {
                final byte[] b = chunks[(int) (pos >>> 32)];
                final int at = (int) pos;
                return codec.read(b, at + 8 + getInt(b, at), getInt(b, at + 4));
            }

            Map.Entry<byte[], V> entry(final long pos) {
                return new AbstractMap.SimpleImmutableEntry<>(key(pos), value(pos));
            }
        }

        private static void putInt(final byte[] b, final int at, final int v) {
            b[at] = (byte) (v >>> 24);
            b[at + 1] = (byte) (v >>> 16);
            b[at + 2] = (byte) (v >>> 8);
            b[at + 3] = (byte) v;
        }

        private static int getInt(final byte[] b, final int at) {
            return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
        }

        /**
         * One group's keys; guarded by itself. Keys written in ascending order (the usual case) are appended to a sorted
         * array of positions; a key that would land inside it (a late record, a removal marker for an old one) goes to a
         * small sorted map beside it instead, so that no write moves the array. Reads merge the two.
         */
        private final class Run {
            private long[] positions = new long[8];
            private int size;
            private TreeMap<byte[], Long> overflow; // created on the first out-of-order key

            /** The index of {@code key} in the array, or {@code -(insertion point) - 1}; appends are found first. */
            private int find(final byte[] key) {
                final int n = size;
                if (n == 0) {
                    return -1;
                }
                final int last = arena.compare(positions[n - 1], key);
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
                    final int c = arena.compare(positions[mid], key);
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

            synchronized V get(final byte[] key) {
                final int i = find(key);
                if (i >= 0) {
                    return arena.value(positions[i]);
                }
                final Long p = overflow == null ? null : overflow.get(key);
                return p == null ? null : arena.value(p);
            }

            synchronized V put(final byte[] key, final V value) {
                final int i = find(key);
                if (i >= 0) {
                    final V old = arena.value(positions[i]);
                    positions[i] = arena.append(key, value);
                    return old;
                }
                if (overflow != null && overflow.containsKey(key)) {
                    final Long old = overflow.put(key, arena.append(key, value));
                    return arena.value(old);
                }
                if (-i - 1 == size) {
                    if (size == positions.length) {
                        positions = Arrays.copyOf(positions, size * 2);
                    }
                    positions[size++] = arena.append(key, value);
                    return null;
                }
                if (overflow == null) {
                    overflow = new TreeMap<>(Arrays::compareUnsigned);
                }
                overflow.put(key, arena.append(key, value));
                return null;
            }

            synchronized V remove(final byte[] key) {
                final int i = find(key);
                if (i >= 0) {
                    final V old = arena.value(positions[i]);
                    System.arraycopy(positions, i + 1, positions, i, size - i - 1);
                    size--;
                    return old;
                }
                final Long p = overflow == null ? null : overflow.remove(key);
                return p == null ? null : arena.value(p);
            }

            /** The positions of the entries in {@code [from, to)}, in order or reverse. */
            synchronized long[] copy(final byte[] from, final byte[] to, final boolean descending) {
                final int lo = lowerBound(from);
                final int hi = to == null ? size : Math.max(lo, lowerBound(to));
                final Collection<Long> extra = overflow == null || overflow.isEmpty() ? List.of()
                        : (to == null ? overflow.tailMap(from, true) : overflow.subMap(from, true, to, false)).values();
                final long[] out = new long[hi - lo + extra.size()];
                // merge the array's range and the overflow's, both ascending
                final Iterator<Long> x = extra.iterator();
                Long next = x.hasNext() ? x.next() : null;
                int a = lo;
                for (int k = 0; k < out.length; k++) {
                    if (next != null && (a == hi || compareEntries(next, positions[a]) < 0)) {
                        out[k] = next;
                        next = x.hasNext() ? x.next() : null;
                    } else {
                        out[k] = positions[a++];
                    }
                }
                if (descending) {
                    for (int l = 0, r = out.length - 1; l < r; l++, r--) {
                        final long t = out[l];
                        out[l] = out[r];
                        out[r] = t;
                    }
                }
                return out;
            }

            private int compareEntries(final long a, final long b) {
                return arena.compare(a, arena.key(b));
            }
        }

        private final Codec<V> codec;
        private final Arena arena = new Arena();
        private final ConcurrentHashMap<Prefix, Run> groups = new ConcurrentHashMap<>();
        /** The same runs, by prefix in key order: for range reads. */
        private final ConcurrentSkipListMap<byte[], Run> ordered = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);

        private final int chunkBytes;

        Grouped(final @NotNull Codec<V> codec) {
            this(codec, CHUNK);
        }

        /** With arena chunks of {@code chunkBytes} (tests use tiny ones, to cross chunk boundaries often). */
        Grouped(final @NotNull Codec<V> codec, final int chunkBytes) {
            this.codec = codec;
            this.chunkBytes = chunkBytes;
        }

        /** The length of a key's group prefix: up to and including its first 0 byte, or all of it. */
        static int prefixLength(final byte[] key) {
            for (int i = 0; i < key.length; i++) {
                if (key[i] == 0) {
                    return i + 1;
                }
            }
            return key.length;
        }

        private Run run(final byte[] key) {
            return groups.get(new Prefix(key, prefixLength(key)));
        }

        @Override
        public @Nullable V get(final byte @NotNull [] key) {
            final Run r = run(key);
            return r == null ? null : r.get(key);
        }

        @Override
        public @Nullable V put(final byte @NotNull [] key, final @NotNull V value) {
            final Prefix p = new Prefix(key, prefixLength(key));
            Run r = groups.get(p);
            if (r == null) {
                // writer thread only: no other thread creates runs
                r = new Run();
                ordered.put(Arrays.copyOf(key, p.length), r);
                groups.put(new Prefix(Arrays.copyOf(key, p.length), p.length), r);
            }
            return r.put(key, value);
        }

        @Override
        public @Nullable V remove(final byte @NotNull [] key) {
            final Run r = run(key);
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
            final NavigableMap<byte[], Run> span = to == null ? ordered.tailMap(first, true)
                    : ordered.subMap(first, true, to, false);
            final Iterator<Run> runs = (descending ? span.descendingMap() : span).values().iterator();
            return new Iterator<>() {
                private long[] current;
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
                    // the bytes at a position never change: decoding outside the run's monitor is safe, since
                    // copy() took the monitor after the writer appended them
                    return arena.entry(current[at++]);
                }
            };
        }
    }
}
