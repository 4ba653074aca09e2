package org.openrtm.sdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.RtmIds;
import org.openrtm.sdk.testing.Recorder;
import org.openrtm.sdk.testing.TestClients;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

class PeerMessagingIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    @Test
    void textMessage_toOnlinePeer_isDelivered_withAllFields_andAReceipt_onTheCallbackThread() throws Exception {
        final Recorder aliceSees = new Recorder();
        final Recorder bobSees = new Recorder();
        try (RtmClient alice = TestClients.loggedIn(broker, "alice1", aliceSees);
             RtmClient bob = TestClients.loggedIn(broker, "bob1", bobSees)) {
            final List<String> completedOn = new ArrayList<>();
            final SendResult result = alice.peer().send("bob1", "hello bob",
                    SendOptions.builder().property("app", "x").receipt(true).build())
                    .whenComplete((r, e) -> completedOn.add(Thread.currentThread().getName()))
                    .get(10, TimeUnit.SECONDS);

            assertThat(result.status()).isEqualTo(DeliveryStatus.DELIVERED);
            assertThat(RtmIds.isValid(result.messageId())).isTrue();
            assertThat(result.clientMessageId()).isNotEmpty();
            final PeerMessage got = bobSees.nextMessage();
            assertThat(got.from()).isEqualTo("alice1");
            assertThat(got.to()).isEqualTo("bob1");
            assertThat(got.text()).isEqualTo("hello bob");
            assertThat(got.isText()).isTrue();
            assertThat(got.messageId()).isEqualTo(result.messageId());
            assertThat(got.serverTime()).isBetween(Instant.now().minusSeconds(10), Instant.now().plusSeconds(1));
            assertThat(got.isOffline()).isFalse();
            assertThat(got.properties()).isEqualTo(Map.of("app", "x"));

            final Receipt receipt = result.receipt().get(10, TimeUnit.SECONDS);
            assertThat(receipt.messageId()).isEqualTo(result.messageId());
            assertThat(receipt.to()).isEqualTo("bob1");
            assertThat(receipt.status()).isEqualTo("received");
            assertThat(aliceSees.nextReceipt()).isEqualTo(receipt);

            assertThat(completedOn).containsExactly("rtm-callback-alice1");
            assertThat(aliceSees.threads).isNotEmpty().allMatch(t -> t.equals("rtm-callback-alice1"));
            assertThat(bobSees.threads).isNotEmpty().allMatch(t -> t.equals("rtm-callback-bob1"));
        }
    }

    @Test
    void binaryMessage_arrivesAsBytes_notMarkedText() throws Exception {
        final Recorder bobSees = new Recorder();
        try (RtmClient alice = TestClients.loggedIn(broker, "alice2", new Recorder());
             RtmClient bob = TestClients.loggedIn(broker, "bob2", bobSees)) {
            final byte[] bytes = {0, 1, 2, (byte) 0xFF};
            assertThat(alice.peer().send("bob2", bytes).get(10, TimeUnit.SECONDS).status())
                    .isEqualTo(DeliveryStatus.DELIVERED);
            final PeerMessage got = bobSees.nextMessage();
            assertThat(got.payload()).containsExactly(bytes);
            assertThat(got.isText()).isFalse();
        }
    }

    @Test
    void aMessageSentWithoutAskingForAReceipt_getsNone_andOneThatAsks_getsItsReceipt() throws Exception {
        final Recorder aliceSees = new Recorder();
        try (RtmClient alice = TestClients.loggedIn(broker, "alice9", aliceSees);
             RtmClient bob = TestClients.loggedIn(broker, "bob9", new Recorder())) {
            final SendResult plain = alice.peer().send("bob9", "no receipt").get(10, TimeUnit.SECONDS);
            assertThat(plain.status()).isEqualTo(DeliveryStatus.DELIVERED);
            assertThat(catchThrowable(() -> plain.receipt().get(5, TimeUnit.SECONDS)))
                    .hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("receipt(true)");
            final SendResult asked = alice.peer().send("bob9", "with receipt",
                    SendOptions.builder().receipt(true).build()).get(10, TimeUnit.SECONDS);
            assertThat(asked.receipt().get(10, TimeUnit.SECONDS).messageId()).isEqualTo(asked.messageId());
            // bob acknowledged the first message before the second: had it a receipt, alice would have seen it first
            assertThat(aliceSees.nextReceipt().messageId()).isEqualTo(asked.messageId());
        }
    }

    @Test
    void offlinePeer_isCached_thenDeliveredWithOfflineFlag_andTheReceiptFollows() throws Exception {
        final Recorder aliceSees = new Recorder();
        try (RtmClient alice = TestClients.loggedIn(broker, "alice3", aliceSees)) {
            final SendResult result = alice.peer().send("bob3", "while you were away",
                    SendOptions.builder().receipt(true).build()).get(10, TimeUnit.SECONDS);
            assertThat(result.status()).isEqualTo(DeliveryStatus.CACHED);
            assertThat(result.receipt()).isNotDone();

            final Recorder bobSees = new Recorder();
            try (RtmClient bob = TestClients.loggedIn(broker, "bob3", bobSees)) {
                final PeerMessage got = bobSees.nextMessage();
                assertThat(got.text()).isEqualTo("while you were away");
                assertThat(got.isOffline()).isTrue();
                assertThat(got.messageId()).isEqualTo(result.messageId());
                assertThat(result.receipt().get(10, TimeUnit.SECONDS).to()).isEqualTo("bob3");
            }
        }
    }

    @Test
    void offlinePeer_withoutCaching_orWithZeroExpiry_isUnreachable_andNoReceiptIsAwaited() throws Exception {
        try (RtmClient alice = TestClients.loggedIn(broker, "alice4", new Recorder())) {
            final SendResult noCache = alice.peer().send("bob4", "now or never",
                    SendOptions.builder().offline(false).build()).get(10, TimeUnit.SECONDS);
            assertThat(noCache.status()).isEqualTo(DeliveryStatus.UNREACHABLE);
            assertThat(catchThrowable(() -> noCache.receipt().get(5, TimeUnit.SECONDS)))
                    .hasCauseInstanceOf(RtmTimeoutException.class);

            final SendResult expired = alice.peer().send("bob4", "expires at once",
                    SendOptions.builder().expiry(Duration.ZERO).history(false).build()).get(10, TimeUnit.SECONDS);
            assertThat(expired.status()).isEqualTo(DeliveryStatus.UNREACHABLE);

            final SendResult kept = alice.peer().send("bob4", "kept a minute",
                    SendOptions.builder().expiry(Duration.ofMinutes(1)).history(false).build()).get(10, TimeUnit.SECONDS);
            assertThat(kept.status()).isEqualTo(DeliveryStatus.CACHED);
        }
    }

    @Test
    void payloadOverTheLimit_failsWithPayloadTooLarge_namingTheLimit() {
        try (RtmClient alice = TestClients.loggedIn(broker, "alice5", new Recorder())) {
            final Throwable t = catchThrowable(() -> alice.peer().send("bob5", new byte[8193]).get(10, TimeUnit.SECONDS));
            assertThat(t.getCause()).isInstanceOf(PayloadTooLargeException.class);
            final PayloadTooLargeException e = (PayloadTooLargeException) t.getCause();
            assertThat(e.code()).isEqualTo(RtmErrorCode.TOO_LARGE);
            assertThat(e.getMessage()).contains("8193 bytes").contains("8192").contains("too_large");
            // exactly the limit is fine
            assertThat(alice.peer().send("bob5", new byte[8192]).join().status()).isEqualTo(DeliveryStatus.CACHED);
        }
    }

    @Test
    void manySendsAtOnce_respectTheBrokersReceiveMaximum_andAllArriveInOrder() throws Exception {
        final Recorder aliceSees = new Recorder();
        final Recorder bobSees = new Recorder();
        try (RtmClient alice = TestClients.loggedIn(broker, "alice6", aliceSees);
             RtmClient bob = TestClients.loggedIn(broker, "bob6", bobSees)) {
            final List<CompletableFuture<SendResult>> sends = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                sends.add(alice.peer().send("bob6", "m" + i));
            }
            CompletableFuture.allOf(sends.toArray(new CompletableFuture[0])).get(20, TimeUnit.SECONDS);
            for (int i = 0; i < 60; i++) {
                assertThat(bobSees.nextMessage().text()).isEqualTo("m" + i);
            }
            // HiveMQ disconnects a client that exceeds its Receive Maximum of 10: it never happened
            assertThat(aliceSees.changes).extracting(ConnectionChange::state)
                    .containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED);
        }
    }

    @Test
    void callbacks_runOnTheGivenExecutor_inOrder() throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(4, r -> new Thread(r, "app-pool"));
        try {
            final Recorder bobSees = new Recorder();
            try (RtmClient alice = TestClients.loggedIn(broker, "alice7", new Recorder());
                 RtmClient bob = TestClients.builder(broker, "bob7").callbackExecutor(pool).peerListener(bobSees)
                         .connectionListener(bobSees).build()) {
                bob.login().get(10, TimeUnit.SECONDS);
                for (int i = 0; i < 20; i++) {
                    alice.peer().send("bob7", "n" + i);
                }
                for (int i = 0; i < 20; i++) {
                    assertThat(bobSees.nextMessage().text()).isEqualTo("n" + i);
                }
                assertThat(bobSees.threads).hasSizeGreaterThan(20).allMatch(t -> t.equals("app-pool"));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aThrowingListener_doesNotStopDelivery() throws Exception {
        final Recorder bobSees = new Recorder();
        try (RtmClient alice = TestClients.loggedIn(broker, "alice8", new Recorder());
             RtmClient bob = TestClients.builder(broker, "bob8").peerListener(new PeerListener() {
                 @Override
                 public void onMessage(final PeerMessage message) {
                     throw new IllegalStateException("application bug");
                 }
             }).peerListener(bobSees).build()) {
            bob.login().get(10, TimeUnit.SECONDS);
            final SendResult r = alice.peer().send("bob8", "one".getBytes(StandardCharsets.UTF_8),
                    SendOptions.builder().receipt(true).build()).get(10, TimeUnit.SECONDS);
            assertThat(bobSees.nextMessage().messageId()).isEqualTo(r.messageId());
            // the message was still acknowledged
            assertThat(r.receipt().get(10, TimeUnit.SECONDS).messageId()).isEqualTo(r.messageId());
        }
    }

    @Test
    void invalidRecipient_isRefusedAtTheCall() {
        try (RtmClient alice = TestClients.builder(broker, "alice9").build()) {
            assertThat(catchThrowable(() -> alice.peer().send("bad uid", "x")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'bad uid'");
        }
    }

    @Test
    void listenerRemoved_seesNothingMore() throws Exception {
        final Recorder first = new Recorder();
        final Recorder second = new Recorder();
        try (RtmClient alice = TestClients.loggedIn(broker, "alice10", new Recorder());
             RtmClient bob = TestClients.loggedIn(broker, "bob10", first)) {
            bob.peer().addListener(second);
            bob.peer().removeListener(first);
            alice.peer().send("bob10", "only the second").get(10, TimeUnit.SECONDS);
            assertThat(second.nextMessage().text()).isEqualTo("only the second");
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> first.messages.isEmpty());
        }
    }
}
