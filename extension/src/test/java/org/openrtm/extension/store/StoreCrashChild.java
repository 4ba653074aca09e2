package org.openrtm.extension.store;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * Run in a child JVM by {@link StoreTest}: writes until killed, printing each acknowledged key. With a second argument
 * {@code shared}, a second store in {@code <dir>/second} shares the first one's writer, each key is written to the
 * second store first and then to the first, and a key counts as acknowledged when the first store's write completes.
 */
public final class StoreCrashChild {

    private StoreCrashChild() {
    }

    public static void main(final String[] args) throws Exception {
        final PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        // frequent checkpoints, so that the kill also lands during MapDB commits and segment rotation
        final StoreOptions options = new StoreOptions(StoreOptions.Sync.NEVER, Duration.ofMillis(10),
                Duration.ofMillis(50), 500);
        final Store store = Store.open(Path.of(args[0]), options, List.of("a", "b"), ForkJoinPool.commonPool());
        final Keyspace a = store.keyspace("a");
        store.write(new WriteBatch().putNew(a, "removed-0".getBytes(StandardCharsets.UTF_8), new byte[] {1})).get();
        store.write(new WriteBatch().remove(a, "removed-0".getBytes(StandardCharsets.UTF_8))).get();
        final Store second = args.length > 1 && "shared".equals(args[1])
                ? Store.open(Path.of(args[0]).resolve("second"), options, List.of("a"), java.util.Map.of(),
                        ForkJoinPool.commonPool(), store)
                : null;
        for (int i = 0; ; i++) {
            final int n = i;
            if (second != null) {
                second.write(new WriteBatch().put(second.keyspace("a"), ("key-" + n).getBytes(StandardCharsets.UTF_8),
                        new byte[100]));
            }
            store.write(new WriteBatch().put(a, ("key-" + n).getBytes(StandardCharsets.UTF_8), new byte[100]))
                    .thenRun(() -> out.println("acked " + n));
            if (i % 64 == 0) {
                Thread.onSpinWait();
            }
        }
    }
}
