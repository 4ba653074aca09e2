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
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store behaves like a sorted map under any sequence of puts, fresh puts and removes, whatever checkpoints happen
 * in between, and after a reopen (journal replay).
 */
class StoreModelTest {

    private final List<Path> dirs = new ArrayList<>();

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

    @Property(tries = 40)
    void store_matchesASortedMap(@ForAll("programs") final List<Op> program) throws Exception {
        final Path dir = Files.createTempDirectory("store-model");
        dirs.add(dir);
        final StoreOptions options = new StoreOptions(StoreOptions.Sync.NEVER, Duration.ofMillis(10),
                Duration.ofMillis(20), 5);
        final TreeMap<String, String> model = new TreeMap<>();
        int fresh = 100;
        try (Store store = Store.open(dir, options, List.of("a"), Store.DIRECT)) {
            final Keyspace a = store.keyspace("a");
            for (final Op op : program) {
                switch (op.kind()) {
                    case 0:
                        store.write(new WriteBatch().put(a, key(op.key()), Integer.toString(op.value())
                                .getBytes(StandardCharsets.UTF_8))).get(5, TimeUnit.SECONDS);
                        model.put(new String(key(op.key()), StandardCharsets.UTF_8), Integer.toString(op.value()));
                        break;
                    case 1:
                        final int k = fresh++;
                        store.write(new WriteBatch().putNew(a, key(k), Integer.toString(op.value())
                                .getBytes(StandardCharsets.UTF_8))).get(5, TimeUnit.SECONDS);
                        model.put(new String(key(k), StandardCharsets.UTF_8), Integer.toString(op.value()));
                        break;
                    case 2:
                        final int victim = op.value() % 2 == 0 || fresh == 100 ? op.key() : 100 + op.value() % (fresh - 100);
                        store.write(new WriteBatch().remove(a, key(victim))).get(5, TimeUnit.SECONDS);
                        model.remove(new String(key(victim), StandardCharsets.UTF_8));
                        break;
                    default:
                        final long before = store.stats().checkpoints();
                        store.write(new WriteBatch().put(a, key(999), new byte[] {1})).get(5, TimeUnit.SECONDS);
                        model.put(new String(key(999), StandardCharsets.UTF_8), new String(new byte[] {1},
                                StandardCharsets.UTF_8));
                        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                        while (store.stats().checkpoints() == before && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                        }
                        break;
                }
                assertSame(store, a, model);
            }
        }
        try (Store reopened = Store.open(dir, options, List.of("a"), Store.DIRECT)) {
            assertSame(reopened, reopened.keyspace("a"), model);
        }
    }

    private static void assertSame(final Store store, final Keyspace a, final TreeMap<String, String> model) {
        final List<Store.Entry> asc = store.scan(a, new byte[0], null, false, Integer.MAX_VALUE);
        final List<String> got = new ArrayList<>();
        for (final Store.Entry e : asc) {
            got.add(new String(e.key(), StandardCharsets.UTF_8) + "=" + new String(e.value(), StandardCharsets.UTF_8));
        }
        final List<String> want = new ArrayList<>();
        for (final Map.Entry<String, String> e : model.entrySet()) {
            want.add(e.getKey() + "=" + e.getValue());
        }
        assertThat(got).isEqualTo(want);
        final List<Store.Entry> desc = store.scan(a, new byte[0], null, true, 3);
        final List<String> lastThree = new ArrayList<>(model.descendingKeySet()).subList(0, Math.min(3, model.size()));
        assertThat(desc).extracting(e -> new String(e.key(), StandardCharsets.UTF_8)).containsExactlyElementsOf(lastThree);
        for (final String k : model.keySet()) {
            assertThat(store.get(a, k.getBytes(StandardCharsets.UTF_8))).isEqualTo(model.get(k)
                    .getBytes(StandardCharsets.UTF_8));
        }
        assertThat(Arrays.asList(store.get(a, "absent".getBytes(StandardCharsets.UTF_8)))).containsOnlyNulls();
    }
}
