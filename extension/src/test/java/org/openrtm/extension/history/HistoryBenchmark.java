package org.openrtm.extension.history;

import com.google.gson.JsonObject;
import org.openrtm.extension.config.Setting;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.session.Sessions;
import org.openrtm.extension.store.Store;
import org.openrtm.extension.store.StoreOptions;
import org.openrtm.protocol.Role;
import org.openrtm.protocol.RtmIds;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * History benchmark: the append rate of the history store and the latency of {@code history.query} with a million
 * stored messages. Runs {@link HistoryService} on a real store (journal forced to disk, group-committed, as in
 * production) in a temporary folder, without a broker, so the figures are the history path alone.
 *
 * <ol>
 *   <li>Append: {@code messages} peer messages of {@code payload} bytes over {@code conversations} conversations
 *       (picked at random), with {@code window} appends in flight (many senders at once). Reports appends per second
 *       and the latency of one append (until durable). Stamped as they come, conversations are dense (many
 *       messages per conversation per second: large blocks); spread over days, sparse (about one message per block:
 *       the block layout's worst case).</li>
 *   <li>Settle: waits until every record is checkpointed into MapDB blocks.</li>
 *   <li>Query: {@code queries} of each kind on random conversations, one at a time: the newest page (desc, 100), the
 *       next page through the cursor, the oldest page (asc, 100), a one-minute time range. Reports percentiles.</li>
 * </ol>
 *
 * <p>A tool, not a test: {@code java -cp <extension test classpath> org.openrtm.extension.history.HistoryBenchmark
 * [messages] [conversations] [payload] [window] [queries] [spread]}, where {@code spread} (for example {@code 7d})
 * spreads the messages' times evenly over that much past time instead of stamping them as they come. Prints markdown
 * tables.
 */
public final class HistoryBenchmark {

    private HistoryBenchmark() {
    }

    public static void main(final String[] args) throws Exception {
        final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        final int messages = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        final int conversations = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        final int payload = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        final int window = args.length > 3 ? Integer.parseInt(args[3]) : 1024;
        final int queries = args.length > 4 ? Integer.parseInt(args[4]) : 2000;
        final long spreadMillis = args.length > 5 ? Setting.parseDuration(args[5]).toMillis() : 0;
        final Path dir = Files.createTempDirectory("rtm-history-benchmark-");
        final ExecutorService executor = Executors.newFixedThreadPool(2);
        final Store store = Store.open(dir, StoreOptions.defaults(), List.of(HistoryService.KEYSPACE),
                Map.of(HistoryService.KEYSPACE, HistoryService.checkpointWriter()), executor);
        final HistoryService history = new HistoryService(store, executor, Clock.systemUTC(),
                new HistoryService.HistoryOptions(true, Duration.ofDays(7), 100_000_000), (cid, uid) -> true);
        try {
            out.printf("history benchmark: %,d messages of %d bytes over %,d conversations, %d appends in flight, "
                    + "store.sync=always, time stamps %s%n%n", messages, payload, conversations, window,
                    spreadMillis == 0 ? "as they come (dense conversations)"
                            : "spread over the last " + Duration.ofMillis(spreadMillis) + " (sparse conversations)");
            // ------------------------------------------------------------------------------------------ append
            final RtmIds ids = RtmIds.generator();
            final SplittableRandom random = new SplittableRandom(42);
            final byte[] body = new byte[payload];
            Arrays.fill(body, (byte) 'x');
            final long[] latencies = new long[messages];
            final Semaphore inFlight = new Semaphore(window);
            final long firstTs = System.currentTimeMillis() - spreadMillis;
            final long start = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                inFlight.acquire();
                final int c = random.nextInt(conversations);
                final int n = i;
                final long t0 = System.nanoTime();
                final long ts = spreadMillis == 0 ? System.currentTimeMillis() : firstTs + spreadMillis * i / messages;
                history.recordPeer("user" + c, "peer" + c, ids.next(), ts, body)
                        .whenComplete((v, e) -> {
                            latencies[n] = System.nanoTime() - t0;
                            inFlight.release();
                        });
            }
            inFlight.acquire(window);
            final double appendSeconds = (System.nanoTime() - start) / 1e9;
            Arrays.sort(latencies);
            out.printf("| append | value |%n|---|---|%n");
            out.printf("| appends per second | %,.0f |%n", messages / appendSeconds);
            out.printf("| append latency p50 / p99 / max (until durable) | %s / %s / %s ms |%n",
                    ms(latencies, 0.50), ms(latencies, 0.99), ms(latencies, 1.0));
            // ------------------------------------------------------------------------------------------ settle
            final long settle = System.nanoTime();
            while (store.stats().pendingChanges() > 0 || !onlyBlocks(store)) {
                TimeUnit.MILLISECONDS.sleep(200);
            }
            out.printf("| time until everything was checkpointed into blocks | %.1f s |%n",
                    (System.nanoTime() - settle) / 1e9);
            out.printf("| MapDB file size | %,d MB |%n%n", Files.size(dir.resolve("rtm.db")) / (1024 * 1024));
            // ------------------------------------------------------------------------------------------- query
            final Connection caller = new Sessions(100, 100).prepare("bench", Role.SERVICE, Connection.Via.MQTT, true, 0);
            final long now = System.currentTimeMillis();
            final long span = now - firstTs;
            final long[] newest = new long[queries];
            final long[] next = new long[queries];
            final long[] oldest = new long[queries];
            final long[] range = new long[queries];
            int returned = 0;
            for (int q = 0; q < queries; q++) {
                final int c = random.nextInt(conversations);
                final String who = "\"peer\":\"peer" + c + "\",\"uid\":\"user" + c + "\"";
                long t0 = System.nanoTime();
                final JsonObject first = query(history, caller, "{" + who + ",\"limit\":100}");
                newest[q] = System.nanoTime() - t0;
                returned += first.getAsJsonArray("messages").size();
                final String cursor = first.get("cursor").isJsonNull() ? null : first.get("cursor").getAsString();
                t0 = System.nanoTime();
                query(history, caller, "{" + who + ",\"limit\":100" + (cursor == null ? "" : ",\"cursor\":\"" + cursor
                        + "\"") + "}");
                next[q] = System.nanoTime() - t0;
                t0 = System.nanoTime();
                query(history, caller, "{" + who + ",\"limit\":100,\"order\":\"asc\"}");
                oldest[q] = System.nanoTime() - t0;
                final long from = firstTs + random.nextLong(Math.max(1, span - 60_000));
                t0 = System.nanoTime();
                query(history, caller, "{" + who + ",\"limit\":100,\"order\":\"asc\",\"start\":" + from + ",\"end\":"
                        + (from + 60_000) + "}");
                range[q] = System.nanoTime() - t0;
            }
            out.printf("| history.query (%,d of each, one at a time, in process) | p50 | p90 | p99 | max |%n", queries);
            out.printf("|---|---|---|---|---|%n");
            row(out, "newest 100 (desc)", newest);
            row(out, "next 100 through the cursor", next);
            row(out, "oldest 100 (asc)", oldest);
            row(out, "one minute of one conversation (asc, up to 100)", range);
            out.printf("%naverage page of the newest-100 queries: %.1f messages%n", returned / (double) queries);
        } finally {
            store.close();
            executor.shutdownNow();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    private static boolean onlyBlocks(final Store store) {
        // a cheap look at the first entries: memory layers would show single records among them
        return store.stats().pendingChanges() == 0 && store.scan(store.keyspace(HistoryService.KEYSPACE), new byte[0],
                null, false, 1000).stream().allMatch(e -> HistoryCodec.isBlock(e.value()));
    }

    private static JsonObject query(final HistoryService h, final Connection caller, final String body) throws Exception {
        return h.queryHandler().handle(caller, com.google.gson.JsonParser.parseString(body).getAsJsonObject())
                .get(10, TimeUnit.SECONDS).getAsJsonObject();
    }

    private static void row(final PrintStream out, final String what, final long[] nanos) {
        Arrays.sort(nanos);
        out.printf("| %s | %s ms | %s ms | %s ms | %s ms |%n", what, ms(nanos, 0.50), ms(nanos, 0.90), ms(nanos, 0.99),
                ms(nanos, 1.0));
    }

    private static String ms(final long[] sorted, final double q) {
        final int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
        return String.format("%.2f", sorted[i] / 1e6);
    }
}
