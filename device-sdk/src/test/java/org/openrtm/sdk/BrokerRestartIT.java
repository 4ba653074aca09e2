package org.openrtm.sdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.sdk.internal.Internals;
import org.openrtm.sdk.presence.OnlineState;
import org.openrtm.sdk.testing.Recorder;
import org.openrtm.sdk.testing.TestClients;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A broker restart (it keeps no MQTT sessions nor memberships; its store keeps caches and de-duplication records). */
class BrokerRestartIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of(
            "limits.rate-per-second", "1000", "limits.rate-burst", "1000"));

    @Test
    void brokerRestart_inTheMiddleOfAStream_everyMessageArrivesExactlyOnce_inOrder() throws Exception {
        final Recorder aliceSees = new Recorder();
        final Recorder bobSees = new Recorder();
        try (RtmClient alice = TestClients.builder(broker, "alice").sendTimeout(Duration.ofSeconds(60))
                .connectionListener(aliceSees).build();
             RtmClient bob = TestClients.builder(broker, "bob").connectionListener(bobSees).peerListener(bobSees).build()) {
            alice.login().get(10, TimeUnit.SECONDS);
            bob.login().get(10, TimeUnit.SECONDS);
            final List<CompletableFuture<SendResult>> sends = new ArrayList<>();
            final List<String> expected = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                expected.add("before " + i);
                sends.add(alice.peer().send("bob", "before " + i));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> sends.stream().filter(CompletableFuture::isDone).count() >= 5);

            final CompletableFuture<Void> restart = CompletableFuture.runAsync(broker::restart);
            await().atMost(Duration.ofSeconds(20)).until(() -> alice.state() == ConnectionState.RECONNECTING);
            // sent while the broker is down: they wait in the outbox
            for (int i = 0; i < 30; i++) {
                expected.add("during " + i);
                sends.add(alice.peer().send("bob", "during " + i));
            }
            assertThat(Internals.unfinished(alice)).isGreaterThanOrEqualTo(30);
            restart.get(60, TimeUnit.SECONDS);
            CompletableFuture.allOf(sends.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            final List<String> got = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                got.add(bobSees.nextMessage().text());
            }
            assertThat(got).containsExactlyElementsOf(expected);
            assertThat(bobSees.messages.poll(1, TimeUnit.SECONDS)).as("a duplicate").isNull();
            assertThat(Internals.unfinished(alice)).isZero();

            // both came back by themselves, to a fresh session (the broker keeps none across a restart)
            for (final Recorder r : List.of(aliceSees, bobSees)) {
                assertThat(r.changes).extracting(ConnectionChange::reason).contains(ConnectionChangeReason.INTERRUPTED);
                final ConnectionChange back = r.changes.get(r.changes.size() - 1);
                assertThat(back.reason()).isEqualTo(ConnectionChangeReason.RECONNECTED);
                assertThat(back.sessionResumed()).isFalse();
            }
            assertThat(alice.serverInfo().get(10, TimeUnit.SECONDS).uid()).isEqualTo("alice");
        }
    }

    @Test
    void brokerRestart_channelsPresenceAndBroadcastListening_areRestoredBeforeTheClientsReportConnected() throws Exception {
        final Recorder aliceSees = new Recorder();
        final Recorder bobSees = new Recorder();
        try (RtmClient alice = TestClients.listening(TestClients.builder(broker, "ch-alice"), aliceSees).build();
             RtmClient bob = TestClients.listening(TestClients.builder(broker, "ch-bob"), bobSees).build()) {
            alice.login().get(10, TimeUnit.SECONDS);
            bob.login().get(10, TimeUnit.SECONDS);
            alice.channels().join("ch-room").get(10, TimeUnit.SECONDS);
            bob.channels().join("ch-room").get(10, TimeUnit.SECONDS);
            alice.presence().subscribe(List.of("ch-bob")).get(10, TimeUnit.SECONDS);
            bob.broadcasts().listen().get(10, TimeUnit.SECONDS);
            final int changesBefore = aliceSees.changes.size() + bobSees.changes.size();

            broker.restart();
            await().atMost(Duration.ofSeconds(30)).until(() -> alice.state() == ConnectionState.CONNECTED
                    && bob.state() == ConnectionState.CONNECTED && aliceSees.changes.size() + bobSees.changes.size()
                    >= changesBefore + 4);
            // the server forgot every membership; the clients joined again with their login's SUBSCRIBE
            assertThat(alice.channels().send("ch-room", "after the restart").get(10, TimeUnit.SECONDS).recipients())
                    .isEqualTo(1);
            assertThat(Recorder.next(bobSees.channelMessages).text()).isEqualTo("after the restart");
            assertThat(alice.channels().allMembers("ch-room").get(10, TimeUnit.SECONDS)).containsExactly("ch-alice", "ch-bob");
            assertThat(alice.channels().joined()).containsExactly("ch-room");
            assertThat(bob.broadcasts().isListening()).isTrue();

            bob.logout().get(10, TimeUnit.SECONDS);
            assertThat(Recorder.nextMatching(aliceSees.presence, e -> e.state() == OnlineState.OFFLINE && !e.isInitial())
                    .uid()).isEqualTo("ch-bob");
        }
    }
}
