package org.openrtm.bench.history;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jetbrains.annotations.NotNull;
import org.openrtm.bench.Options;
import org.openrtm.bench.metrics.Latency;
import org.openrtm.bench.metrics.LatencyRecorder;
import org.openrtm.bench.metrics.ProcStats;
import org.openrtm.extension.history.HistoryService;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.session.Sessions;
import org.openrtm.extension.store.Store;
import org.openrtm.extension.store.StoreOptions;
import org.openrtm.protocol.Role;
import org.openrtm.protocol.RtmIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The history benchmark (issue 4): the append rate of the history store and the latency of {@code history.query} with
 * a million stored messages. It runs the extension's {@link HistoryService} on a real store in a fresh folder, in this
 * process and without a broker, so the figures are the history path alone:
 *
 * <ol>
 *   <li><b>append</b>: {@code --messages} peer messages of {@code --payload} bytes over {@code --conversations}
 *       conversations picked at random, with {@code --window} appends in flight (many senders at once). Appends per
 *       second and the latency of one append until the store reports it written (with {@code --sync always}: forced
 *       to disk, group-committed). With {@code --spread 0s} messages are stamped as they come (dense conversations,
 *       large blocks); with {@code --spread 7d} their times are spread evenly over the past seven days (about one
 *       message per conversation and second: the block layout's worst case).</li>
 *   <li><b>settle</b>: the time until every record is checkpointed into MapDB.</li>
 *   <li><b>query</b>: {@code --queries} of each kind on random conversations, one at a time, through the RPC handler
 *       (JSON in and out, no MQTT round trip): the newest page (desc, 100), the next page through its cursor, the
 *       oldest page (asc, 100), one minute of one conversation.</li>
 * </ol>
 * Prints a table and writes {@code history-<stamp>.json}. Not thread-safe; one run at a time.
 */
public final class HistoryBench {

    private static final Logger log = LoggerFactory.getLogger(HistoryBench.class);

    /** The options of {@code rtm-bench history}. */
    public static final Set<String> OPTIONS = Set.of("messages", "conversations", "payload", "window", "queries",
            "spread", "sync", "checkpoint-interval", "results", "label");

    /** The query kinds, in the order they are reported. */
    static final List<String> QUERIES = List.of("newest", "next", "oldest", "minute");

    private final int messages;
    private final int conversations;
    private final int payload;
    private final int window;
    private final int queries;
    private final Duration spread;
    private final StoreOptions.Sync sync;
    private final Duration checkpointInterval;
    private final Options options;

    /**
     * @param o the parsed options
     * @throws IllegalArgumentException for an option out of range
     */
    public HistoryBench(final @NotNull Options o) {
        messages = o.integer("messages", 1_000_000, 1, 100_000_000);
        conversations = o.integer("conversations", 1_000, 1, 10_000_000);
        payload = o.integer("payload", 100, 1, 8192);
        window = o.integer("window", 1024, 1, 1_000_000);
        queries = o.integer("queries", 2_000, 1, 10_000_000);
        spread = o.duration("spread", Duration.ZERO, Duration.ZERO);
        final String s = o.string("sync", "always");
        try {
            sync = StoreOptions.Sync.of(s);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("--sync must be always, interval or never, but was '" + s + "'", e);
        }
        checkpointInterval = o.duration("checkpoint-interval", Duration.ofSeconds(5), Duration.ofMillis(100));
        options = o;
    }

    /**
     * What a run measured.
     *
     * @param appended       appends that completed successfully
     * @param failedAppends  appends that failed
     * @param appendRate     appends per second until the last one completed
     * @param appendLatency  latency of one append
     * @param settleSeconds  time from the last append until nothing was waiting for a checkpoint
     * @param fileBytes      size of one MapDB copy after the checkpoint (the store keeps two)
     * @param queryLatency   latency per query kind ({@link #QUERIES})
     * @param averagePage    messages in an average newest-100 page
     * @param json           everything, as written to the JSON file
     */
    public record Result(long appended, long failedAppends, double appendRate, @NotNull Latency appendLatency,
                         double settleSeconds, long fileBytes, @NotNull Map<String, Latency> queryLatency,
                         double averagePage, @NotNull JsonObject json) {
    }

    /**
     * Runs the benchmark.
     *
     * @param out where the table goes
     * @return the result; also written as JSON into {@code --results}
     * @throws IOException if the store cannot be created or the JSON cannot be written
     * @throws InterruptedException if interrupted
     */
    public @NotNull Result run(final @NotNull PrintStream out) throws IOException, InterruptedException {
        final ZonedDateTime started = ZonedDateTime.now();
        final Path dir = Files.createTempDirectory("rtm-bench-history-");
        final ExecutorService executor = Executors.newFixedThreadPool(2);
        final StoreOptions storeOptions = new StoreOptions(sync, Duration.ofMillis(200), checkpointInterval, 100_000);
        final Store store = Store.open(dir, storeOptions, List.of(HistoryService.KEYSPACE),
                Map.of(HistoryService.KEYSPACE, HistoryService.checkpointWriter()), executor);
        try {
            final HistoryService history = new HistoryService(store, executor, Clock.systemUTC(),
                    new HistoryService.HistoryOptions(true, Duration.ofDays(3650), 100_000_000), (cid, uid) -> true);
            out.printf(Locale.ROOT, "%nhistory benchmark: %,d messages of %d bytes over %,d conversations, %d appends in "
                    + "flight, store.sync=%s, times %s%n", messages, payload, conversations, window,
                    sync.name().toLowerCase(Locale.ROOT), spread.isZero() ? "as they come (dense)"
                            : "spread over the past " + spread.toDays() + "d " + spread.toHoursPart() + "h (sparse)");
            // ---------------------------------------------------------------------------------------------- append
            final RtmIds ids = RtmIds.generator();
            final SplittableRandom random = new SplittableRandom(42);
            final byte[] body = new byte[payload];
            Arrays.fill(body, (byte) 'x');
            final LatencyRecorder appendLatency = new LatencyRecorder();
            final LongAdder failed = new LongAdder();
            final Semaphore inFlight = new Semaphore(window);
            final long spreadMillis = spread.toMillis();
            final long firstTs = System.currentTimeMillis() - spreadMillis;
            final long start = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                inFlight.acquire();
                final int c = random.nextInt(conversations);
                final long t0 = System.nanoTime();
                final long ts = spreadMillis == 0 ? System.currentTimeMillis() : firstTs + spreadMillis * i / messages;
                history.recordPeer("user" + c, "peer" + c, ids.next(), ts, body).whenComplete((v, e) -> {
                    appendLatency.recordNanos(System.nanoTime() - t0);
                    if (e != null) {
                        failed.increment();
                    }
                    inFlight.release();
                });
            }
            inFlight.acquire(window);
            final double appendSeconds = (System.nanoTime() - start) / 1e9;
            final long appended = messages - failed.sum();
            // ---------------------------------------------------------------------------------------------- settle
            final long settle = System.nanoTime();
            while (store.stats().pendingChanges() > 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
            final double settleSeconds = (System.nanoTime() - settle) / 1e9;
            final long fileBytes = Files.size(dir.resolve("rtm-a.db")); // one of the two copies
            // ----------------------------------------------------------------------------------------------- query
            final Connection caller = new Sessions(100, 100).prepare("bench", Role.SERVICE, Connection.Via.MQTT, true, 0);
            final long span = System.currentTimeMillis() - firstTs;
            final Map<String, LatencyRecorder> lat = new LinkedHashMap<>();
            QUERIES.forEach(q -> lat.put(q, new LatencyRecorder()));
            long returned = 0;
            for (int q = 0; q < queries; q++) {
                final int c = random.nextInt(conversations);
                final JsonObject who = new JsonObject();
                who.addProperty("peer", "peer" + c);
                who.addProperty("uid", "user" + c);
                who.addProperty("limit", 100);
                final JsonObject first = timed(history, caller, who, lat.get("newest"));
                returned += first.getAsJsonArray("messages").size();
                final JsonObject next = who.deepCopy();
                if (!first.get("cursor").isJsonNull()) {
                    next.addProperty("cursor", first.get("cursor").getAsString());
                }
                timed(history, caller, next, lat.get("next"));
                final JsonObject oldest = who.deepCopy();
                oldest.addProperty("order", "asc");
                timed(history, caller, oldest, lat.get("oldest"));
                final long from = firstTs + random.nextLong(Math.max(1, span - 60_000));
                final JsonObject minute = oldest.deepCopy();
                minute.addProperty("start", from);
                minute.addProperty("end", from + 60_000);
                timed(history, caller, minute, lat.get("minute"));
            }
            final Map<String, Latency> queryLatency = new LinkedHashMap<>();
            lat.forEach((k, v) -> queryLatency.put(k, v.snapshot()));
            final double averagePage = returned / (double) queries;
            final Latency append = appendLatency.snapshot();
            final JsonObject json = json(started, appended, failed.sum(), appended / appendSeconds, append, settleSeconds,
                    fileBytes, queryLatency, averagePage);
            print(out, appended, failed.sum(), appended / appendSeconds, append, settleSeconds, fileBytes, queryLatency,
                    averagePage);
            final Path results = Path.of(options.string("results", Files.isDirectory(Path.of("bench", "src"))
                    ? "bench/target/results" : "target/results"));
            Files.createDirectories(results);
            final Path file = results.resolve("history-" + started.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                    + ".json");
            Files.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(json) + "\n",
                    StandardCharsets.UTF_8);
            out.println("JSON: " + file);
            return new Result(appended, failed.sum(), appended / appendSeconds, append, settleSeconds, fileBytes,
                    queryLatency, averagePage, json);
        } finally {
            store.close();
            executor.shutdownNow();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> {
                    if (!p.toFile().delete()) {
                        log.debug("could not delete {}", p);
                    }
                });
            }
        }
    }

    private static JsonObject timed(final HistoryService h, final Connection caller, final JsonObject request,
                                    final LatencyRecorder into) throws InterruptedException {
        final long t0 = System.nanoTime();
        final JsonElement reply;
        try {
            reply = h.queryHandler().handle(caller, JsonParser.parseString(request.toString()).getAsJsonObject())
                    .get(30, TimeUnit.SECONDS);
        } catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("history.query " + request + " failed: " + e, e);
        }
        into.recordNanos(System.nanoTime() - t0);
        return reply.getAsJsonObject();
    }

    private JsonObject json(final ZonedDateTime started, final long appended, final long failed, final double rate,
                            final Latency append, final double settle, final long fileBytes,
                            final Map<String, Latency> queryLatency, final double averagePage) {
        final JsonObject o = new JsonObject();
        o.addProperty("scenario", "history");
        o.addProperty("started", started.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        final JsonObject env = new JsonObject();
        env.addProperty("cores", Runtime.getRuntime().availableProcessors());
        env.addProperty("cpu", ProcStats.cpuModel());
        env.addProperty("memoryBytes", ProcStats.memTotalBytes());
        env.addProperty("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        env.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        if (options.has("label")) {
            env.addProperty("label", options.string("label", ""));
        }
        o.add("environment", env);
        final JsonObject p = new JsonObject();
        p.addProperty("messages", messages);
        p.addProperty("conversations", conversations);
        p.addProperty("payloadBytes", payload);
        p.addProperty("window", window);
        p.addProperty("queries", queries);
        p.addProperty("spreadSeconds", spread.toSeconds());
        p.addProperty("sync", sync.name().toLowerCase(Locale.ROOT));
        p.addProperty("checkpointIntervalSeconds", checkpointInterval.toMillis() / 1000.0);
        o.add("parameters", p);
        final JsonObject a = new JsonObject();
        a.addProperty("appended", appended);
        a.addProperty("failed", failed);
        a.addProperty("perSecond", Latency.Stats.round3(rate));
        a.add("latency", append.toJson());
        a.addProperty("settleSeconds", Latency.Stats.round3(settle));
        a.addProperty("fileBytes", fileBytes);
        o.add("append", a);
        final JsonObject q = new JsonObject();
        queryLatency.forEach((k, v) -> q.add(k, v.toJson()));
        q.addProperty("averageNewestPage", Latency.Stats.round3(averagePage));
        o.add("query", q);
        return o;
    }

    private static void print(final PrintStream out, final long appended, final long failed, final double rate,
                              final Latency a, final double settle, final long fileBytes,
                              final Map<String, Latency> queryLatency, final double averagePage) {
        out.printf(Locale.ROOT, "%n| append | value |%n|---|---|%n");
        out.printf(Locale.ROOT, "| appended (failed) | %,d (%,d) |%n", appended, failed);
        out.printf(Locale.ROOT, "| appends per second | %,.0f |%n", rate);
        out.printf(Locale.ROOT, "| append latency p50 / p99 / p99.9 / max | %.2f / %.2f / %.2f / %.2f ms |%n",
                a.p50Ms(), a.p99Ms(), a.p999Ms(), a.maxMs());
        out.printf(Locale.ROOT, "| checkpointing after the last append | %.1f s |%n", settle);
        out.printf(Locale.ROOT, "| MapDB file (one of two copies) | %,d MB |%n", fileBytes / (1024 * 1024));
        out.printf(Locale.ROOT, "%n| history.query | p50 | p90 | p99 | p99.9 | max |%n|---|---|---|---|---|---|%n");
        final Map<String, String> names = Map.of("newest", "newest 100 (desc)", "next", "next 100 through the cursor",
                "oldest", "oldest 100 (asc)", "minute", "one minute of one conversation");
        queryLatency.forEach((k, l) -> out.printf(Locale.ROOT, "| %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms |%n",
                names.get(k), l.p50Ms(), l.p90Ms(), l.p99Ms(), l.p999Ms(), l.maxMs()));
        out.printf(Locale.ROOT, "%naverage newest page: %.1f messages%n", averagePage);
    }
}
