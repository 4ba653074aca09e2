package org.openrtm.extension;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openrtm.extension.history.HistoryService;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.session.Sessions;
import org.openrtm.extension.store.Store;
import org.openrtm.extension.store.StoreOptions;
import org.openrtm.protocol.Role;
import org.openrtm.protocol.RtmIds;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** History kept by older versions in {@code <data>/history} moves into the main store once, checkpointed or not. */
class HistoryMigrationTest {

    private static final StoreOptions OPTIONS = new StoreOptions(StoreOptions.Sync.NEVER, Duration.ofMillis(10),
            Duration.ofMillis(100), 100);

    @TempDir
    Path data;

    private final ExecutorService executor = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() throws Exception {
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }

    private HistoryService service(final Store store) {
        return new HistoryService(store, executor, Clock.systemUTC(),
                new HistoryService.HistoryOptions(true, Duration.ofDays(7), 10_000), (cid, uid) -> true);
    }

    private static Store open(final Path dir, final List<String> keyspaces) throws Exception {
        return Store.open(dir, OPTIONS, keyspaces, Map.of(HistoryService.KEYSPACE, HistoryService.checkpointWriter()),
                Store.DIRECT);
    }

    @Test
    void recordsOfTheOldHistoryStore_areQueryableFromTheMainStore_andTheOldFolderIsKeptAside() throws Exception {
        final List<String> sent = new ArrayList<>();
        final long t0 = System.currentTimeMillis() - 60_000;
        final RtmIds ids = RtmIds.generator();
        try (Store old = open(data.resolve("history"), List.of(HistoryService.KEYSPACE))) {
            final HistoryService h = service(old);
            for (int i = 0; i < 30; i++) {
                final String id = ids.next();
                sent.add(id);
                h.recordPeer(i % 2 == 0 ? "alice" : "bob", i % 2 == 0 ? "bob" : "alice", id, t0 + i * 1000L,
                        ("text " + i).getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
                if (i == 19) {
                    // the first 20 become MapDB blocks, the last 10 stay in the journal
                    await().atMost(Duration.ofSeconds(10)).until(() -> old.stats().pendingChanges() == 0);
                }
            }
        }
        try (Store main = open(data.resolve("store"), List.of("mail", HistoryService.KEYSPACE))) {
            RtmRuntime.migrateHistory(data, OPTIONS, main);
            assertThat(data.resolve("history")).doesNotExist();
            assertThat(data.resolve("history.migrated")).isDirectory();
            assertThat(ids(service(main))).containsExactlyElementsOf(sent);
            // a second start finds nothing to move and changes nothing
            RtmRuntime.migrateHistory(data, OPTIONS, main);
            assertThat(ids(service(main))).containsExactlyElementsOf(sent);
        }
        try (Store reopened = open(data.resolve("store"), List.of("mail", HistoryService.KEYSPACE))) {
            assertThat(ids(service(reopened))).containsExactlyElementsOf(sent);
        }
        assertThat(Files.list(data.resolve("history.migrated")).count()).isPositive();
    }

    private static List<String> ids(final HistoryService h) throws Exception {
        final Connection alice = new Sessions(100, 100).prepare("alice", Role.USER, Connection.Via.MQTT, true, 0);
        final List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            final JsonObject page = h.queryHandler().handle(alice, JsonParser.parseString("{\"peer\":\"bob\",\"order\":\"asc\","
                    + "\"limit\":7" + (cursor == null ? "" : ",\"cursor\":\"" + cursor + "\"") + "}").getAsJsonObject())
                    .get(5, TimeUnit.SECONDS).getAsJsonObject();
            for (final JsonElement m : page.getAsJsonArray("messages")) {
                ids.add(m.getAsJsonObject().get("id").getAsString());
            }
            cursor = page.get("cursor").isJsonNull() ? null : page.get("cursor").getAsString();
        } while (cursor != null);
        return ids;
    }
}
