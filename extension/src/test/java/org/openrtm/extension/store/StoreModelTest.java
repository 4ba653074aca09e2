package org.openrtm.extension.store;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store behaves like a sorted map under any sequence of puts, fresh puts and removes, whatever checkpoints happen
 * in between, and after a reopen (journal replay).
 */
class StoreModelTest {

    /**
     * Concurrent: when a property fails, jqwik's time-bounded shrinking (10 s) may still be running a try while the
     * clean-up below runs; with a plain list that surfaced as a ConcurrentModificationException that hid the failure.
     */
    private final List<Path> dirs = new java.util.concurrent.CopyOnWriteArrayList<>();

    @AfterProperty
    void cleanUp() throws IOException {
        for (final Path d : dirs) {
            try (Stream<Path> files = Files.walk(d)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        dirs.clear();
    }

    /** op: 0 put, 1 putNew of a never-used key, 2 remove, 3 wait for a checkpoint. */
    record Op(int kind, int key, int value) {
    }

    @Provide
    Arbitrary<List<Op>> programs() {
        final Arbitrary<Op> op = net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, 30), Arbitraries.integers().between(0, 1000))
                .as((k, key, v) -> new Op(k < 4 ? 0 : k < 6 ? 1 : k < 9 ? 2 : 3, key, v));
        return op.list().ofMinSize(1).ofMaxSize(60);
    }

    private static byte[] key(final int k) {
        return String.format("k%03d", k).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Keys for the grouped layout: groups named up to the first 0 byte, keys without a 0 byte (groups of their own), keys
     * that are prefixes of other groups' keys, and fresh keys appended in order to one group.
     */
    private static byte[] groupedKey(final int k) {
        if (k >= 100) {
            return ("h\0" + String.format("%04d", k)).getBytes(StandardCharsets.UTF_8);
        }
        final String[] groups = {"a", "a\0", "ab\0", "b\0", "h\0", "h"};
        final String g = groups[k % groups.length];
        return (g + (k % 4 == 0 ? "" : String.format("%02d", k))).getBytes(StandardCharsets.UTF_8);
    }

    /** Bounds for range scans of the grouped layout, each one a key, a group prefix, or between. */
    private static final byte[][] BOUNDS = Stream.of("", "a", "a\0", "a\0" + "05", "a\0" + "99", "a0", "ab", "ab\0",
            "ab\0" + "20", "b", "b\0", "b\0" + "13", "c", "h", "h\0", "h\0" + "0102", "h\0" + "9", "h0", "z")
            .map(b -> b.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);

    /** Writes one MapDB entry per key, as the store does by default, but has the store group keys in memory. */
    private static final CheckpointWriter GROUPED = new CheckpointWriter() {
        @Override
        public void checkpoint(final List<Change> changes, final NavigableMap<byte[], byte[]> base) {
            for (final Change c : changes) {
                if (c.value() == null) {
                    base.remove(c.key());
                } else {
                    base.put(c.key(), c.value());
                }
            }
        }

        @Override
        public boolean groupsByPrefix() {
            return true;
        }
    };

    @Property(tries = 40)
    void store_matchesASortedMap(@ForAll("programs") final List<Op> program) throws Exception {
        run(program, Map.of(), StoreModelTest::key);
    }

    @Property(tries = 60)
    void groupedStore_matchesASortedMap(@ForAll("programs") final List<Op> program) throws Exception {
        run(program, Map.of("a", GROUPED), StoreModelTest::groupedKey);
    }

    private void run(final List<Op> program, final Map<String, CheckpointWriter> writers,
                     final IntFunction<byte[]> key) throws Exception {
        final Path dir = Files.createTempDirectory("store-model");
        dirs.add(dir);
        final StoreOptions options = new StoreOptions(StoreOptions.Sync.NEVER, Duration.ofMillis(10),
                Duration.ofMillis(20), 5);
        final TreeMap<byte[], String> model = new TreeMap<>(Arrays::compareUnsigned);
        int fresh = 100;
        try (Store store = Store.open(dir, options, List.of("a"), writers, Store.DIRECT)) {
            final Keyspace a = store.keyspace("a");
            for (final Op op : program) {
                switch (op.kind()) {
                    case 0:
                        store.write(new WriteBatch().put(a, key.apply(op.key()), Integer.toString(op.value())
                                .getBytes(StandardCharsets.UTF_8))).get(5, TimeUnit.SECONDS);
                        model.put(key.apply(op.key()), Integer.toString(op.value()));
                        break;
                    case 1:
                        final int k = fresh++;
                        store.write(new WriteBatch().putNew(a, key.apply(k), Integer.toString(op.value())
                                .getBytes(StandardCharsets.UTF_8))).get(5, TimeUnit.SECONDS);
                        model.put(key.apply(k), Integer.toString(op.value()));
                        break;
                    case 2:
                        final int victim = op.value() % 2 == 0 || fresh == 100 ? op.key() : 100 + op.value() % (fresh - 100);
                        store.write(new WriteBatch().remove(a, key.apply(victim))).get(5, TimeUnit.SECONDS);
                        model.remove(key.apply(victim));
                        break;
                    default:
                        final long before = store.stats().checkpoints();
                        store.write(new WriteBatch().put(a, key.apply(999), new byte[] {1})).get(5, TimeUnit.SECONDS);
                        model.put(key.apply(999), new String(new byte[] {1}, StandardCharsets.UTF_8));
                        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                        while (store.stats().checkpoints() == before && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                        }
                        break;
                }
                assertSame(store, a, model);
            }
        }
        try (Store reopened = Store.open(dir, options, List.of("a"), writers, Store.DIRECT)) {
            assertSame(reopened, reopened.keyspace("a"), model);
        }
    }

    private static String text(final byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void assertSame(final Store store, final Keyspace a, final TreeMap<byte[], String> model) {
        final List<Store.Entry> asc = store.scan(a, new byte[0], null, false, Integer.MAX_VALUE);
        final List<String> got = new ArrayList<>();
        for (final Store.Entry e : asc) {
            got.add(text(e.key()) + "=" + text(e.value()));
        }
        final List<String> want = new ArrayList<>();
        for (final Map.Entry<byte[], String> e : model.entrySet()) {
            want.add(text(e.getKey()) + "=" + e.getValue());
        }
        assertThat(got).isEqualTo(want);
        final List<Store.Entry> desc = store.scan(a, new byte[0], null, true, 3);
        final List<String> lastThree = model.descendingKeySet().stream().limit(3).map(StoreModelTest::text).toList();
        assertThat(desc).extracting(e -> text(e.key())).containsExactlyElementsOf(lastThree);
        // every range, both ways, with and without a limit
        for (final byte[] from : BOUNDS) {
            for (final byte[] to : BOUNDS) {
                if (Arrays.compareUnsigned(from, to) >= 0) {
                    continue;
                }
                for (final boolean descending : new boolean[] {false, true}) {
                    final NavigableMap<byte[], String> sub = model.subMap(from, true, to, false);
                    final List<String> all = (descending ? sub.descendingKeySet() : sub.navigableKeySet()).stream()
                            .map(StoreModelTest::text).toList();
                    assertThat(store.scan(a, from, to, descending, Integer.MAX_VALUE)).extracting(e -> text(e.key()))
                            .as("scan [%s, %s) %s", text(from), text(to), descending ? "descending" : "ascending")
                            .containsExactlyElementsOf(all);
                    assertThat(store.scan(a, from, to, descending, 2)).extracting(e -> text(e.key()))
                            .containsExactlyElementsOf(all.subList(0, Math.min(2, all.size())));
                }
            }
            final List<String> tail = model.tailMap(from, true).keySet().stream().map(StoreModelTest::text).toList();
            assertThat(store.scan(a, from, null, false, Integer.MAX_VALUE)).extracting(e -> text(e.key()))
                    .containsExactlyElementsOf(tail);
        }
        for (final Map.Entry<byte[], String> e : model.entrySet()) {
            assertThat(store.get(a, e.getKey())).isEqualTo(e.getValue().getBytes(StandardCharsets.UTF_8));
        }
        assertThat(Arrays.asList(store.get(a, "absent".getBytes(StandardCharsets.UTF_8)))).containsOnlyNulls();
    }
}
