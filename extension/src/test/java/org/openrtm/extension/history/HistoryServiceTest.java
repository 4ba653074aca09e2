package org.openrtm.extension.history;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openrtm.extension.rpc.RpcException;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.session.Sessions;
import org.openrtm.extension.store.Store;
import org.openrtm.extension.store.StoreOptions;
import org.openrtm.protocol.Role;
import org.openrtm.protocol.RtmIds;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class HistoryServiceTest {

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        final AtomicLong now = new AtomicLong(1_800_000_000_000L);

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(final java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }

        @Override
        public long millis() {
            return now.get();
        }
    }

    private static final StoreOptions FAST_CHECKPOINTS = new StoreOptions(StoreOptions.Sync.NEVER, Duration.ofMillis(10),
            Duration.ofMillis(100), 100);

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final Connection alice = new Sessions(100, 100).prepare("alice", Role.USER, Connection.Via.MQTT, true, 0);
    private Store store;

    @BeforeEach
    void open() throws Exception {
        store = openStore();
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }

    private Store openStore() throws Exception {
        return Store.open(dir, FAST_CHECKPOINTS, List.of(HistoryService.KEYSPACE),
                Map.of(HistoryService.KEYSPACE, HistoryService.checkpointWriter()), executor);
    }

    private HistoryService service(final int cap) {
        return new HistoryService(store, executor, clock, new HistoryService.HistoryOptions(true, Duration.ofHours(1), cap),
                (cid, uid) -> true);
    }

    private JsonObject query(final HistoryService h, final String body) throws Exception {
        return h.queryHandler().handle(alice, JsonParser.parseString(body).getAsJsonObject()).get(5, TimeUnit.SECONDS)
                .getAsJsonObject();
    }

    private List<String> all(final HistoryService h, final String fields, final int limit) throws Exception {
        final List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            final JsonObject page = query(h, "{" + fields + ",\"limit\":" + limit
                    + (cursor == null ? "" : ",\"cursor\":\"" + cursor + "\"") + "}");
            for (final JsonElement m : page.getAsJsonArray("messages")) {
                ids.add(m.getAsJsonObject().get("id").getAsString());
            }
            cursor = page.get("cursor").isJsonNull() ? null : page.get("cursor").getAsString();
        } while (cursor != null);
        return ids;
    }

    /** Waits until everything is checkpointed: nothing in memory, every entry a block. */
    private void awaitCheckpoint() {
        await().atMost(Duration.ofSeconds(10)).until(() -> store.stats().pendingChanges() == 0
                && store.scan(store.keyspace(HistoryService.KEYSPACE), new byte[0], null, false, Integer.MAX_VALUE)
                .stream().allMatch(e -> HistoryCodec.isBlock(e.value())));
    }

    /** Records, by (ts, id), everything the store holds, blocks and single records alike, each once. */
    private Set<String> stored() {
        final Set<String> keys = new HashSet<>();
        for (final Store.Entry e : store.scan(store.keyspace(HistoryService.KEYSPACE), new byte[0], null, false,
                Integer.MAX_VALUE)) {
            for (final HistoryCodec.Item item : HistoryCodec.expand(e.key(), e.value())) {
                keys.add(HistoryCodec.rtmIdOf(item.key()));
            }
        }
        return keys;
    }

    private record Sent(long ts, String id) {
    }

    private List<Sent> record(final HistoryService h, final int n, final int stepMillis) {
        final RtmIds ids = RtmIds.generator(clock::millis);
        final List<Sent> sent = new ArrayList<>();
        final List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clock.now.addAndGet(stepMillis);
            long ts = clock.millis();
            if (i % 50 == 7) {
                ts -= 2500; // a late record: older than records written before it, maybe in a block already
            }
            final String id = ids.next();
            writes.add(i % 2 == 0 ? h.recordPeer("alice", "bob", id, ts, ("m" + i).getBytes(StandardCharsets.UTF_8))
                    : h.recordPeer("bob", "alice", id, ts, new byte[] {(byte) 0xff, (byte) i}));
            sent.add(new Sent(ts, id));
        }
        CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])).join();
        return sent;
    }

    private static List<String> ordered(final List<Sent> sent, final boolean descending) {
        final Comparator<Sent> c = Comparator.comparingLong(Sent::ts).thenComparing(Sent::id);
        return sent.stream().sorted(descending ? c.reversed() : c).map(Sent::id).toList();
    }

    @Test
    void pagesInBothOrders_mergeBlocksAndRecentRecords_andSurviveAReopen() throws Exception {
        HistoryService h = service(100_000);
        final List<Sent> sent = new ArrayList<>(record(h, 400, 13));
        awaitCheckpoint();
        // the checkpoint wrote blocks: far fewer MapDB entries than records
        final List<Store.Entry> entries = store.scan(store.keyspace(HistoryService.KEYSPACE), new byte[0], null, false,
                Integer.MAX_VALUE);
        assertThat(entries).allSatisfy(e -> assertThat(HistoryCodec.isBlock(e.value())).isTrue());
        assertThat(entries.size()).isLessThan(20);
        sent.addAll(record(h, 150, 11)); // in memory, some of them late into checkpointed buckets

        assertThat(all(h, "\"peer\":\"bob\",\"order\":\"asc\"", 37)).containsExactlyElementsOf(ordered(sent, false));
        assertThat(all(h, "\"peer\":\"bob\"", 41)).containsExactlyElementsOf(ordered(sent, true));
        final JsonObject first = query(h, "{\"peer\":\"bob\",\"order\":\"asc\",\"limit\":1}").getAsJsonArray("messages")
                .get(0).getAsJsonObject();
        assertThat(first.get("encoding").getAsString()).isIn("utf8", "base64");

        store.close();
        store = openStore();
        h = service(100_000);
        assertThat(all(h, "\"peer\":\"bob\",\"order\":\"asc\"", 100)).containsExactlyElementsOf(ordered(sent, false));
        // time range within blocks: start inclusive, end exclusive
        final List<Sent> byTime = sent.stream().sorted(Comparator.comparingLong(Sent::ts).thenComparing(Sent::id)).toList();
        final long start = byTime.get(100).ts();
        final long end = byTime.get(300).ts();
        final List<String> expected = byTime.stream().filter(s -> s.ts() >= start && s.ts() < end).map(Sent::id).toList();
        assertThat(all(h, "\"peer\":\"bob\",\"order\":\"asc\",\"start\":" + start + ",\"end\":" + end, 9))
                .containsExactlyElementsOf(expected);
    }

    @Test
    void sweep_removesExpiredAndCappedRecords_inBlocksAndInMemory() throws Exception {
        final HistoryService h = service(100);
        final List<Sent> old = record(h, 300, 10);
        awaitCheckpoint();
        clock.now.addAndGet(Duration.ofHours(1).toMillis() - 1500); // the oldest ~1.5 s of records expire now
        final List<Sent> recent = record(h, 120, 1);
        final long cutoff = clock.millis() - Duration.ofHours(1).toMillis();

        final long passes = h.sweepStats().passes();
        h.sweep();
        await().atMost(Duration.ofSeconds(10)).until(() -> h.sweepStats().passes() > passes);
        final List<Sent> all = new ArrayList<>(old);
        all.addAll(recent);
        final List<String> survivors = all.stream().filter(s -> s.ts() >= cutoff)
                .sorted(Comparator.comparingLong(Sent::ts).thenComparing(Sent::id)).map(Sent::id).toList();
        assertThat(survivors.size()).isGreaterThan(100);
        final List<String> newest = survivors.subList(survivors.size() - 100, survivors.size());
        // the pass's last removals are queued, not awaited, when it counts itself done: wait until the store has them
        // (and a checkpoint wrote them into blocks)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            awaitCheckpoint();
            assertThat(stored()).containsExactlyInAnyOrderElementsOf(newest);
        });
        assertThat(all(h, "\"peer\":\"bob\",\"order\":\"asc\"", 100)).containsExactlyElementsOf(newest);
        assertThat(h.sweepStats().expired() + h.sweepStats().capped()).isEqualTo(all.size() - 100);
    }

    @Test
    void channelAudience_andBadInput() throws Exception {
        final HistoryService h = service(100);
        final RtmIds ids = RtmIds.generator(clock::millis);
        final String forAll = ids.next();
        h.recordChannel("room", "bob", forAll, clock.millis(), new byte[] {1}, null, null).join();
        h.recordChannel("room", "bob", ids.next(), clock.millis(), new byte[] {2}, Set.of("carol"), null).join();
        final String notCarol = ids.next();
        h.recordChannel("room", "bob", notCarol, clock.millis(), new byte[] {3}, null, Set.of("carol")).join();
        h.recordChannel("room", "bob", ids.next(), clock.millis(), new byte[] {4}, null, Set.of("alice")).join();
        assertThat(all(h, "\"cid\":\"room\",\"order\":\"asc\"", 100)).containsExactly(forAll, notCarol);
        assertThatThrownBy(() -> query(h, "{\"cid\":\"room\",\"cursor\":\"AAAA\"}")).isInstanceOf(RpcException.class)
                .hasMessageContaining("is not one this server gave");
        assertThat(HistoryCodec.peer("a", "b")).isEqualTo(HistoryCodec.peer("b", "a"));
    }

    @Test
    void acknowledgedRecords_surviveKill9_evenDuringBlockCheckpoints() throws Exception {
        store.close();
        final String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process child = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                HistoryCrashChild.class.getName(), dir.toString())
                .redirectErrorStream(true)
                .start();
        final List<String> acked = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("acked ")) {
                    acked.add(line.substring(6));
                    if (acked.size() == 5000) {
                        child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close
                        break;
                    }
                }
            }
        }
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(acked).hasSize(5000);
        store = openStore();
        clock.now.set(System.currentTimeMillis());
        final Set<String> found = new HashSet<>(all(service(1_000_000), "\"peer\":\"bob\",\"order\":\"asc\"", 100));
        assertThat(found).containsAll(acked);
    }
}
