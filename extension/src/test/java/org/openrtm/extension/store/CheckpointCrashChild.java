package org.openrtm.extension.store;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Run in a child JVM by {@link StoreTest}: dies in the middle of writing a MapDB copy, at a chosen moment.
 *
 * <p>Arguments: the store folder and {@code N}. Every write puts one key into keyspace {@code a} and one into
 * {@code b}; {@code b} is written into MapDB by a checkpoint writer that counts its calls (one per copy per
 * checkpoint: calls 1 and 2 are the first checkpoint's two copies, 3 and 4 the second's). In call {@code N}, after
 * half of that copy's changes are in MapDB, the process halts (no shutdown hooks, no close, nothing flushed by Java:
 * what {@code kill -9} leaves). Each acknowledged write is printed as {@code acked <i>}.
 */
public final class CheckpointCrashChild {

    private static final int ROUND = 1100;

    private CheckpointCrashChild() {
    }

    public static void main(final String[] args) throws Exception {
        final PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        final int haltIn = Integer.parseInt(args[1]);
        final AtomicInteger calls = new AtomicInteger();
        final Semaphore checkpointStarted = new Semaphore(0);
        final CheckpointWriter halting = (changes, base) -> {
            final int call = calls.incrementAndGet();
            if (call % 2 == 1) {
                checkpointStarted.release(); // the first copy of a checkpoint
            }
            for (int i = 0; i < changes.size(); i++) {
                if (call == haltIn && i == changes.size() / 2) {
                    out.println("halting in call " + call + " after " + i + " of " + changes.size());
                    Runtime.getRuntime().halt(99);
                }
                final CheckpointWriter.Change c = changes.get(i);
                if (c.value() == null) {
                    base.remove(c.key());
                } else {
                    base.put(c.key(), c.value());
                }
            }
        };
        // a checkpoint once 2,000 changes wait
        final StoreOptions options = new StoreOptions(StoreOptions.Sync.NEVER, Duration.ofMillis(10),
                Duration.ofHours(1), 2000);
        final Store store = Store.open(Path.of(args[0]), options, List.of("a", "b"), Map.of("b", halting),
                ForkJoinPool.commonPool());
        final Keyspace a = store.keyspace("a");
        final Keyspace b = store.keyspace("b");
        // rounds of 1,100 writes (2,200 changes: one checkpoint each); the next round is written while the
        // checkpoint of the previous one writes its copies
        for (int round = 0; ; round++) {
            final CountDownLatch acked = new CountDownLatch(ROUND);
            for (int i = round * ROUND; i < (round + 1) * ROUND; i++) {
                final int n = i;
                final byte[] key = ("key-" + n).getBytes(StandardCharsets.UTF_8);
                store.write(new WriteBatch().put(a, key, new byte[200]).put(b, key, new byte[200]))
                        .thenRun(() -> {
                            out.println("acked " + n);
                            acked.countDown();
                        });
            }
            acked.await();
            checkpointStarted.acquire();
        }
    }
}
