package org.openrtm.extension.store;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LayerMap.Grouped} behaves like a sorted map of unsigned byte keys under any sequence of puts (in order, out
 * of order, replacing) and removes, for point reads and range reads in both directions, with arena chunks so small
 * that entries cross into new chunks all the time and some entries are larger than a chunk.
 */
class LayerMapModelTest {

    private static final LayerMap.Codec<String> TEXT = new LayerMap.Codec<>() {
        @Override
        public int size(final String v) {
            return v.getBytes(StandardCharsets.UTF_8).length;
        }

        @Override
        public void write(final String v, final byte[] to, final int at) {
            final byte[] b = v.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(b, 0, to, at, b.length);
        }

        @Override
        public String read(final byte[] from, final int at, final int length) {
            return new String(from, at, length, StandardCharsets.UTF_8);
        }
    };

    /** op: 0-5 put, 6-7 remove; value length 0 to 80 (chunks are 64 bytes). */
    record Op(int kind, int key, int valueLength) {
    }

    @Provide
    Arbitrary<List<Op>> programs() {
        return Combinators.combine(Arbitraries.integers().between(0, 7), Arbitraries.integers().between(0, 200),
                Arbitraries.integers().between(0, 80)).as(Op::new).list().ofMinSize(1).ofMaxSize(120);
    }

    /** Groups named up to the first 0 byte, keys without one, prefixes of other groups' keys; mostly ascending. */
    private static byte[] key(final int k) {
        final String[] groups = {"a", "a\0", "ab\0", "b\0", "h\0", "h"};
        final String g = groups[k % groups.length];
        return (g + (k % 5 == 0 ? "" : String.format("%03d", k))).getBytes(StandardCharsets.UTF_8);
    }

    private static final byte[][] BOUNDS = Stream.of("", "a", "a\0", "a\0" + "050", "a\0" + "999", "a0", "ab",
            "ab\0", "ab\0" + "100", "b", "b\0", "b\0" + "013", "c", "h", "h\0", "h\0" + "102", "h0", "z")
            .map(b -> b.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);

    @Property(tries = 200)
    void grouped_matchesASortedMap(@ForAll("programs") final List<Op> program) {
        final LayerMap.Grouped<String> map = new LayerMap.Grouped<>(TEXT, 64);
        final TreeMap<byte[], String> model = new TreeMap<>(Arrays::compareUnsigned);
        int n = 0;
        for (final Op op : program) {
            final byte[] k = key(op.key());
            if (op.kind() < 6) {
                final String v = "v" + (n++) + "x".repeat(op.valueLength());
                assertThat(map.put(k, v)).isEqualTo(model.put(k, v));
            } else {
                assertThat(map.remove(k)).isEqualTo(model.remove(k));
            }
            assertThat(map.get(k)).isEqualTo(model.get(k));
        }
        for (final Map.Entry<byte[], String> e : model.entrySet()) {
            assertThat(map.get(e.getKey())).isEqualTo(e.getValue());
        }
        for (final byte[] from : BOUNDS) {
            for (final byte[] to : BOUNDS) {
                for (final boolean descending : new boolean[] {false, true}) {
                    if (Arrays.compareUnsigned(from, to) >= 0) {
                        continue;
                    }
                    final NavigableMap<byte[], String> r = model.subMap(from, true, to, false);
                    assertThat(entries(map.range(from, to, descending)))
                            .isEqualTo(entries((descending ? r.descendingMap() : r).entrySet().iterator()));
                }
            }
            final NavigableMap<byte[], String> tail = model.tailMap(from, true);
            assertThat(entries(map.range(from, null, true)))
                    .isEqualTo(entries(tail.descendingMap().entrySet().iterator()));
        }
        assertThat(entries(map.all())).isEqualTo(entries(model.entrySet().iterator()));
    }

    private static List<String> entries(final Iterator<Map.Entry<byte[], String>> it) {
        final List<String> out = new ArrayList<>();
        while (it.hasNext()) {
            final Map.Entry<byte[], String> e = it.next();
            out.add(new String(e.getKey(), StandardCharsets.UTF_8).replace('\0', '|') + "=" + e.getValue());
        }
        return out;
    }
}
