package org.openrtm.extension.attribute;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jetbrains.annotations.NotNull;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openrtm.extension.delivery.Outbound;
import org.openrtm.extension.delivery.RtmMessage;
import org.openrtm.extension.routing.InboundPublish;
import org.openrtm.extension.routing.SendResult;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.session.Sessions;
import org.openrtm.extension.store.Store;
import org.openrtm.extension.store.StoreOptions;
import org.openrtm.extension.util.Lanes;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.Role;
import org.openrtm.protocol.RtmIds;
import org.openrtm.protocol.RtmStatus;
import org.openrtm.protocol.RtmTopics;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;

class AttributeServiceTest {

    /** Records what would be published. */
    private static final class Recording implements Outbound {
        final ConcurrentLinkedQueue<RtmMessage> published = new ConcurrentLinkedQueue<>();

        @Override
        public @NotNull CompletableFuture<Boolean> toClient(final @NotNull String clientId, final @NotNull RtmMessage m) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public @NotNull CompletableFuture<Void> publish(final @NotNull RtmMessage message) {
            published.add(message);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public @NotNull CompletableFuture<Void> forEachRetained(final @NotNull BiConsumer<String, byte[]> action) {
            return CompletableFuture.completedFuture(null);
        }
    }

    @TempDir
    Path dir;

    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final Sessions sessions = new Sessions(100, 100);
    private final List<Store> stores = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        stores.forEach(Store::close);
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }

    private Store store() throws Exception {
        final Store s = Store.open(dir, StoreOptions.defaults(), List.of(AttributeService.KEYSPACE), executor);
        stores.add(s);
        return s;
    }

    private AttributeService service(final Store store, final Outbound outbound, final int maxKeys) {
        return new AttributeService(store, outbound, executor, new Lanes(executor, 8), Clock.systemUTC(),
                RtmIds.generator(), new AttributeService.AttrLimits(32, 8192, maxKeys, 32768, false), (cid, uid) -> true);
    }

    private static InboundPublish write(final String uid, final String key, final String value, final Long ifRev) {
        final String topic = RtmTopics.userAttr(uid, key);
        return new InboundPublish(topic, RtmTopics.parse(topic), value.getBytes(StandardCharsets.UTF_8), 1, true,
                ifRev == null ? List.of() : List.of(Map.entry(Props.IF_REV, Long.toString(ifRev))), null, null, null, null,
                false);
    }

    private Connection user(final String uid) {
        return sessions.prepare(uid, Role.USER, Connection.Via.MQTT, true, 0);
    }

    private static long rev(final SendResult r) {
        assertThat(r.status()).as(r.reason()).isEqualTo(RtmStatus.DELIVERED);
        return Long.parseLong(r.extra().get(Props.REV));
    }

    @Test
    void tombstonesArePruned_butARecreatedKeyNeverGoesBackInRevision() throws Exception {
        final AttributeService attrs = service(store(), new Recording(), 2);
        final Connection u = user("u1");
        final long[] deletedAt = new long[40];
        for (int i = 0; i < 40; i++) {
            final long first = rev(attrs.publish(u, write("u1", "k" + i, "v0", null)).get(5, TimeUnit.SECONDS));
            // up to 32 tombstones are kept; from the 33rd on the oldest are dropped and raise the floor to 3
            assertThat(first).as("first revision of k" + i).isEqualTo(i <= 32 ? 1 : 4);
            assertThat(rev(attrs.publish(u, write("u1", "k" + i, "v1", null)).get(5, TimeUnit.SECONDS))).isEqualTo(first + 1);
            deletedAt[i] = rev(attrs.publish(u, write("u1", "k" + i, "", null)).get(5, TimeUnit.SECONDS));
            assertThat(deletedAt[i]).isEqualTo(first + 2);
        }
        // k0's tombstone was dropped long ago: the key comes back above every revision it had
        assertThat(rev(attrs.publish(u, write("u1", "k0", "again", 0L)).get(5, TimeUnit.SECONDS)))
                .isGreaterThan(deletedAt[0]);
        // a kept tombstone continues from its own revision
        assertThat(rev(attrs.publish(u, write("u1", "k39", "again", 0L)).get(5, TimeUnit.SECONDS)))
                .isEqualTo(deletedAt[39] + 1);
    }

    @Test
    void concurrentCompareAndSet_advancesOneRevisionAtATime() throws Exception {
        final AttributeService attrs = service(store(), new Recording(), 32);
        final List<Connection> writers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            writers.add(user("w"));
        }
        long current = 0;
        for (int round = 0; round < 50; round++) {
            final List<CompletableFuture<SendResult>> results = new ArrayList<>();
            for (final Connection c : writers) {
                results.add(attrs.publish(c, write("w", "counter", "x" + c.number(), current)));
            }
            int won = 0;
            for (final CompletableFuture<SendResult> f : results) {
                final SendResult r = f.get(5, TimeUnit.SECONDS);
                if (r.status() == RtmStatus.DELIVERED) {
                    won++;
                    assertThat(rev(r)).isEqualTo(current + 1);
                } else {
                    assertThat(r.status()).isEqualTo(RtmStatus.CONFLICT);
                }
            }
            assertThat(won).isEqualTo(1);
            current++;
        }
    }

    @Test
    void start_publishesEveryLiveAttributeAgain_inTheLatestState() throws Exception {
        Store store = store();
        final AttributeService before = service(store, new Recording(), 32);
        final Connection u = user("car");
        rev(before.publish(u, write("car", "fw", "1", null)).get(5, TimeUnit.SECONDS));
        rev(before.publish(u, write("car", "fw", "2", null)).get(5, TimeUnit.SECONDS));
        rev(before.publish(u, write("car", "gone", "x", null)).get(5, TimeUnit.SECONDS));
        rev(before.publish(u, write("car", "gone", "", null)).get(5, TimeUnit.SECONDS));
        store.close();
        stores.clear();
        store = store();
        final Recording out = new Recording();
        final AttributeService after = service(store, out, 32);
        after.start();
        org.awaitility.Awaitility.await().until(() -> !out.published.isEmpty());
        final RtmMessage fw = out.published.peek();
        assertThat(out.published).hasSize(1);
        assertThat(fw.topic()).isEqualTo("rtm/user/car/attr/fw");
        assertThat(fw.retain()).isTrue();
        assertThat(new String(fw.payload(), StandardCharsets.UTF_8)).isEqualTo("2");
        assertThat(fw.property(Props.REV)).isEqualTo("2");
        assertThat(fw.property(Props.BY)).isEqualTo("car");
        final JsonObject got = after.getHandler().handle(u, JsonParser.parseString("{\"scope\":\"user\",\"id\":\"car\"}")
                .getAsJsonObject()).get(5, TimeUnit.SECONDS).getAsJsonObject();
        assertThat(got.keySet()).containsExactly("fw");
    }
}
