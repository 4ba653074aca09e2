package org.openrtm.extension.delivery;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.session.Sessions;
import org.openrtm.extension.store.Store;
import org.openrtm.extension.store.StoreOptions;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.Role;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Send order across a resumed session: the mailbox reads the session's subscriptions back from HiveMQ after a
 * reconnect, and a message sent before that answer must not overtake the messages already cached for the user (seen
 * once in the device SDK's ReconnectIT: m47 arrived before m40 to m46 after repeated connection cuts).
 */
class MailboxesOrderTest {

    private static final String INBOX = "rtm/user/bob/inbox/+";

    @TempDir
    Path dir;

    private Store store;
    private ExecutorService lanes;
    private Outbound recording;
    private Mailboxes mailboxes;
    private final Sessions sessions = new Sessions(100, 100);
    private final List<String> handed = new CopyOnWriteArrayList<>();
    private final AtomicReference<CompletableFuture<Map<String, Integer>>> lookup = new AtomicReference<>();

    @BeforeEach
    void open() throws Exception {
        store = Store.open(dir, StoreOptions.defaults(), List.of(Mailboxes.KEYSPACE), Store.DIRECT);
        lanes = Executors.newFixedThreadPool(2);
        recording = new Outbound() {
            @Override
            public CompletableFuture<Boolean> toClient(final String clientId, final RtmMessage message) {
                handed.add(new String(message.payload(), StandardCharsets.UTF_8)
                        + (Props.TRUE.equals(message.property(Props.OFFLINE)) ? " (offline)" : ""));
                return CompletableFuture.completedFuture(true);
            }

            @Override
            public CompletableFuture<Void> publish(final RtmMessage message) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletableFuture<Void> forEachRetained(final BiConsumer<String, byte[]> action) {
                return CompletableFuture.completedFuture(null);
            }
        };
        mailboxes = mailboxes(200);
    }

    private Mailboxes mailboxes(final int window) {
        return mailboxes(new Mailboxes.BoxLimits(200, Duration.ofDays(7).toMillis(), window));
    }

    private Mailboxes mailboxes(final Mailboxes.BoxLimits inbox) {
        final long week = Duration.ofDays(7).toMillis();
        return new Mailboxes(store, recording, lanes, Clock.systemUTC(), Map.of(
                Box.INBOX, inbox, Box.EVENT, new Mailboxes.BoxLimits(200, week, inbox.window())),
                uid -> lookup.get());
    }

    @AfterEach
    void close() throws Exception {
        lanes.shutdownNow();
        store.close();
    }

    private Connection connect(final boolean sessionPresent) {
        final Connection c = sessions.prepare("bob", Role.USER, Connection.Via.MQTT, true, 3600);
        sessions.established(c.number(), sessionPresent);
        mailboxes.connected(c);
        return c;
    }

    private Mailboxes.Outcome send(final String text) throws Exception {
        final RtmMessage m = new RtmMessage("rtm/user/bob/inbox/alice", text.getBytes(StandardCharsets.UTF_8), 1, false,
                List.of(), null, null, null, null, true);
        return mailboxes.send("bob", Box.INBOX, m, "id-" + text, "alice", true, 0, null).get(10, TimeUnit.SECONDS);
    }

    /**
     * Bob subscribes to his inbox, is handed {@code live}, and his connection drops before he acknowledges it (HiveMQ
     * keeps it in the session); then {@code cached} are sent and cached.
     */
    private void handedThenCached(final String live, final String... cached) throws Exception {
        final Connection first = connect(false);
        mailboxes.granted(first, INBOX, 1);
        assertThat(send(live)).isEqualTo(Mailboxes.Outcome.DELIVERED);
        mailboxes.disconnected(first, Sessions.CloseKind.LOST, true);
        for (final String text : cached) {
            assertThat(send(text)).as(text).isEqualTo(Mailboxes.Outcome.CACHED);
        }
    }

    @Test
    void aMessageSentWhileAResumedSessionsSubscriptionsAreReadBack_comesAfterTheCachedOnes() throws Exception {
        handedThenCached("m1", "m2", "m3");

        // the session is resumed; HiveMQ has not answered which subscriptions it has yet
        lookup.set(new CompletableFuture<>());
        connect(true);
        assertThat(send("m4")).as("sent before the subscriptions are known: cached behind m2 and m3")
                .isEqualTo(Mailboxes.Outcome.CACHED);
        assertThat(handed).containsExactly("m1");

        lookup.get().complete(Map.of(INBOX, 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> handed.size() == 4);
        // m1 is the session's to send again (same session), not the mailbox's
        assertThat(handed).containsExactly("m1", "m2 (offline)", "m3 (offline)", "m4 (offline)");
        assertThat(send("m5")).isEqualTo(Mailboxes.Outcome.DELIVERED);
        assertThat(handed).endsWith("m5");
    }

    @Test
    void atMostTheWindowIsHandedUnacknowledged_theRestFollowsAcknowledgements_inOrder() throws Exception {
        mailboxes = mailboxes(3);
        final Connection c = connect(false);
        mailboxes.granted(c, INBOX, 1);
        for (final String text : List.of("m1", "m2", "m3")) {
            assertThat(send(text)).as(text).isEqualTo(Mailboxes.Outcome.DELIVERED);
        }
        assertThat(send("m4")).as("window full").isEqualTo(Mailboxes.Outcome.CACHED);
        assertThat(send("m5")).as("window full").isEqualTo(Mailboxes.Outcome.CACHED);
        assertThat(handed).containsExactly("m1", "m2", "m3");

        mailboxes.acknowledged(c, "id-m1", true);
        await().atMost(Duration.ofSeconds(10)).until(() -> handed.size() == 4);
        assertThat(handed).endsWith("m4 (offline)");
        assertThat(send("m6")).as("m5 still waits: m6 goes behind it").isEqualTo(Mailboxes.Outcome.CACHED);

        mailboxes.acknowledged(c, "id-m2", true);
        mailboxes.acknowledged(c, "id-m3", true);
        await().atMost(Duration.ofSeconds(10)).until(() -> handed.size() == 6);
        assertThat(handed).containsExactly("m1", "m2", "m3", "m4 (offline)", "m5 (offline)", "m6 (offline)");

        for (final String id : List.of("id-m4", "id-m5", "id-m6")) {
            mailboxes.acknowledged(c, id, true);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> mailboxes.count("bob", Box.INBOX).get() == 0);
        assertThat(send("m7")).as("nothing in flight, nothing waiting").isEqualTo(Mailboxes.Outcome.DELIVERED);

        // a fresh session: what the old one had unacknowledged (m7) is handed again, and the window starts empty
        mailboxes.disconnected(c, Sessions.CloseKind.LOST, true);
        final Connection fresh = connect(false);
        mailboxes.granted(fresh, INBOX, 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> handed.size() == 8);
        assertThat(handed).endsWith("m7", "m7 (offline)");
        assertThat(send("m8")).isEqualTo(Mailboxes.Outcome.DELIVERED);
        assertThat(send("m9")).isEqualTo(Mailboxes.Outcome.DELIVERED);
        assertThat(send("m10")).as("m7, m8, m9 in flight").isEqualTo(Mailboxes.Outcome.CACHED);
    }

    @Test
    void whenTheSubscriptionsCannotBeReadBack_thePreviousOnesAreUsed_andTheCacheIsDrained() throws Exception {
        handedThenCached("m0", "m1");

        lookup.set(CompletableFuture.failedFuture(new IllegalStateException("subscription store busy")));
        connect(true);
        await().atMost(Duration.ofSeconds(10)).until(() -> handed.size() == 2);
        assertThat(handed).containsExactly("m0", "m1 (offline)");
        assertThat(send("m2")).isEqualTo(Mailboxes.Outcome.DELIVERED);
        assertThat(handed).containsExactly("m0", "m1 (offline)", "m2");
    }

    /**
     * A burst for a subscribed user whose cache limit is below the window (the fan-in defect: 100 senders to one app).
     * Nothing handed to the session is dropped to make room: that freed a window slot while HiveMQ still held the
     * message, so the mailbox handed more and more until HiveMQ's queue for the client (1,000) discarded the excess,
     * every one of them answered delivered. Beyond the limit for a subscribed user, a message is refused busy.
     */
    @Test
    void aBurstBeyondTheCacheLimit_dropsNothingHanded_andIsRefusedBusyBeyondTheOnlineLimit() throws Exception {
        final long week = Duration.ofDays(7).toMillis();
        mailboxes = mailboxes(new Mailboxes.BoxLimits(2, week, 3, 4));
        final Connection c = connect(false);
        mailboxes.granted(c, INBOX, 1);
        for (final String text : List.of("m1", "m2", "m3")) {
            assertThat(send(text)).as(text).isEqualTo(Mailboxes.Outcome.DELIVERED);
        }
        assertThat(mailboxes.count("bob", Box.INBOX).get()).as("in flight, none dropped").isEqualTo(3);
        for (final String text : List.of("m4", "m5", "m6", "m7")) {
            assertThat(send(text)).as(text).isEqualTo(Mailboxes.Outcome.CACHED);
        }
        assertThat(send("m8")).as("4 wait for a subscribed user: the online limit").isEqualTo(Mailboxes.Outcome.BUSY);
        assertThat(handed).containsExactly("m1", "m2", "m3");
        assertThat(mailboxes.count("bob", Box.INBOX).get()).isEqualTo(7);

        for (final String id : List.of("id-m1", "id-m2", "id-m3", "id-m4", "id-m5", "id-m6", "id-m7")) {
            mailboxes.acknowledged(c, id, true);
            if (id.equals("id-m3")) {
                await().atMost(Duration.ofSeconds(10)).until(() -> handed.size() == 6);
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> mailboxes.count("bob", Box.INBOX).get() == 0);
        assertThat(handed).containsExactly("m1", "m2", "m3", "m4 (offline)", "m5 (offline)", "m6 (offline)",
                "m7 (offline)");

        // offline, the cache limit applies as before: the oldest waiting message goes
        mailboxes.disconnected(c, Sessions.CloseKind.CLIENT, true);
        for (final String text : List.of("o1", "o2", "o3")) {
            assertThat(send(text)).as(text).isEqualTo(Mailboxes.Outcome.CACHED);
        }
        assertThat(mailboxes.count("bob", Box.INBOX).get()).isEqualTo(2);
    }

    /**
     * A user subscribed at QoS 0 cannot acknowledge: a message counts in the window until HiveMQ sends it (HiveMQ keeps
     * at most 5 MB of a client's QoS 0 messages and drops the rest, so handing a burst at once lost them).
     */
    @Test
    void atQos0_aMessageLeavesTheWindowWhenHiveMqSendsIt_withoutAReceipt() throws Exception {
        mailboxes = mailboxes(2);
        final List<String> receipts = new CopyOnWriteArrayList<>();
        mailboxes.setAckListener((uid, box, rtmId, sender) -> receipts.add(rtmId));
        final Connection c = connect(false);
        mailboxes.granted(c, INBOX, 0);
        assertThat(send("m1")).isEqualTo(Mailboxes.Outcome.DELIVERED);
        assertThat(send("m2")).isEqualTo(Mailboxes.Outcome.DELIVERED);
        assertThat(send("m3")).as("not sent by HiveMQ yet: the window is full").isEqualTo(Mailboxes.Outcome.CACHED);
        assertThat(handed).containsExactly("m1", "m2");

        mailboxes.sentAtMostOnce(c, "id-m1");
        await().atMost(Duration.ofSeconds(10)).until(() -> handed.size() == 3);
        assertThat(handed).endsWith("m3 (offline)");
        mailboxes.sentAtMostOnce(c, "id-m2");
        mailboxes.sentAtMostOnce(c, "id-m3");
        await().atMost(Duration.ofSeconds(10)).until(() -> mailboxes.count("bob", Box.INBOX).get() == 0);
        assertThat(receipts).isEmpty();
    }
}
