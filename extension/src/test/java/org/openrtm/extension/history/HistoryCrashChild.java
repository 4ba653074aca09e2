package org.openrtm.extension.history;

import org.openrtm.extension.store.Store;
import org.openrtm.extension.store.StoreOptions;
import org.openrtm.protocol.RtmIds;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;

/** Run in a child JVM by {@link HistoryServiceTest}: records history until killed, printing each durable rtm-id. */
public final class HistoryCrashChild {

    private HistoryCrashChild() {
    }

    public static void main(final String[] args) throws Exception {
        final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        // frequent checkpoints, so that the kill also lands while blocks are written into MapDB
        final StoreOptions options = new StoreOptions(StoreOptions.Sync.NEVER, Duration.ofMillis(10),
                Duration.ofMillis(50), 500);
        final Store store = Store.open(Path.of(args[0]), options, List.of(HistoryService.KEYSPACE),
                Map.of(HistoryService.KEYSPACE, HistoryService.checkpointWriter()), ForkJoinPool.commonPool());
        final HistoryService history = new HistoryService(store, ForkJoinPool.commonPool(), Clock.systemUTC(),
                new HistoryService.HistoryOptions(true, Duration.ofDays(7), 1_000_000), (cid, uid) -> true);
        final RtmIds ids = RtmIds.generator();
        for (int i = 0; ; i++) {
            final String id = ids.next();
            history.recordPeer(i % 2 == 0 ? "alice" : "bob", i % 2 == 0 ? "bob" : "alice", id, System.currentTimeMillis(),
                    new byte[64]).thenRun(() -> out.println("acked " + id));
            if (i % 64 == 0) {
                Thread.onSpinWait();
            }
        }
    }
}
