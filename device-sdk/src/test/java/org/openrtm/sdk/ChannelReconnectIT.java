package org.openrtm.sdk;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.Clients;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.Role;
import org.openrtm.sdk.channel.MemberEvent;
import org.openrtm.sdk.presence.OnlineState;
import org.openrtm.sdk.presence.PresenceEvent;
import org.openrtm.sdk.testing.Recorder;
import org.openrtm.sdk.testing.TcpProxy;
import org.openrtm.sdk.testing.TestClients;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * Channels, presence watches and broadcast listening across connections cut with the broker still up (through
 * {@link TcpProxy}): with the session resumed, with a fresh session, and operations made while reconnecting. An
 * independent MQTT client watches the member markers to prove the reconnects cause no leave/join.
 */
class ChannelReconnectIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of("channel.count-interval", "200ms"));

    private TcpProxy aliceLink;
    private Mqtt5BlockingClient observer;

    @BeforeEach
    void setUp() throws Exception {
        aliceLink = new TcpProxy(broker.port());
    }

    @AfterEach
    void tearDown() {
        aliceLink.close();
        if (observer != null && observer.getState().isConnected()) {
            observer.disconnect();
        }
    }

    /** An independent client that sees every member marker of a channel; returns its queue, drained of the present. */
    private BlockingQueue<Mqtt5Publish> watchMarkers(final String observerUid, final String cid, final int present)
            throws InterruptedException {
        observer = Clients.connect(broker, observerUid);
        final BlockingQueue<Mqtt5Publish> markers = Clients.subscribe(observer, "rtm/channel/" + cid + "/member/+");
        for (int i = 0; i < present; i++) {
            Clients.next(markers);
        }
        return markers;
    }

    private static List<String> describe(final BlockingQueue<Mqtt5Publish> markers, final long millis)
            throws InterruptedException {
        final List<String> seen = new ArrayList<>();
        final long end = System.currentTimeMillis() + millis;
        while (true) {
            final Mqtt5Publish p = markers.poll(Math.max(1, end - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            if (p == null) {
                return seen;
            }
            seen.add(p.getTopic() + (p.getPayloadAsBytes().length == 0 ? " left" : " joined"));
        }
    }

    @Test
    void cutWithTheSessionResumed_othersSeeNoLeaveOrJoin_andMessagesFlowBothWays() throws Exception {
        final Recorder aliceSees = new Recorder();
        final Recorder bobSees = new Recorder();
        try (RtmClient alice = TestClients.listening(TestClients.builder(aliceLink, broker, "r1-alice"), aliceSees).build();
             RtmClient bob = TestClients.loggedIn(broker, "r1-bob", bobSees)) {
            alice.login().get(10, TimeUnit.SECONDS);
            alice.channels().join("r1-room").get(10, TimeUnit.SECONDS);
            bob.channels().join("r1-room").get(10, TimeUnit.SECONDS);
            assertThat(Recorder.next(aliceSees.members).uid()).isEqualTo("r1-bob");
            final BlockingQueue<Mqtt5Publish> markers = watchMarkers("r1-observer", "r1-room", 2);

            aliceLink.cutAll();
            await().atMost(Duration.ofSeconds(10)).until(() -> aliceSees.changes.stream()
                    .anyMatch(c -> c.reason() == ConnectionChangeReason.RECONNECTED));
            assertThat(aliceSees.changes.stream().filter(c -> c.reason() == ConnectionChangeReason.RECONNECTED)
                    .allMatch(ConnectionChange::sessionResumed)).isTrue();

            bob.channels().send("r1-room", "still there?").get(10, TimeUnit.SECONDS);
            assertThat(Recorder.next(aliceSees.channelMessages).text()).isEqualTo("still there?");
            alice.channels().send("r1-room", "yes").get(10, TimeUnit.SECONDS);
            assertThat(Recorder.next(bobSees.channelMessages).text()).isEqualTo("yes");
            assertThat(describe(markers, 1500)).as("member markers after the cut").isEmpty();
            assertThat(aliceSees.members).as("no repeated member events").isEmpty();
            assertThat(alice.channels().joined()).containsExactly("r1-room");
        }
    }

    @Test
    void freshSessionAfterACut_rejoinsAtOnce_withoutChurn_restoresWatches_andReconcilesTheRoster() throws Exception {
        final Recorder aliceSees = new Recorder();
        final Recorder bobSees = new Recorder();
        // a session that the broker forgets one second after the connection is lost
        try (RtmClient alice = TestClients.listening(TestClients.builder(aliceLink, broker, "r2-alice")
                .sessionExpiry(Duration.ofSeconds(1)), aliceSees).build();
             RtmClient bob = TestClients.loggedIn(broker, "r2-bob", bobSees);
             RtmClient carol = TestClients.loggedIn(broker, "r2-carol", new Recorder());
             RtmClient service = RtmClient.builder().serverUri("tcp://127.0.0.1:" + broker.port()).uid("r2-service")
                     .token(broker.token("r2-service", Role.SERVICE)).build()) {
            alice.login().get(10, TimeUnit.SECONDS);
            service.login().get(10, TimeUnit.SECONDS);
            alice.channels().join("r2-room").get(10, TimeUnit.SECONDS);
            bob.channels().join("r2-room").get(10, TimeUnit.SECONDS);
            carol.channels().join("r2-room").get(10, TimeUnit.SECONDS);
            alice.presence().subscribe(List.of("r2-bob")).get(10, TimeUnit.SECONDS);
            alice.broadcasts().listen().get(10, TimeUnit.SECONDS);
            assertThat(Recorder.next(aliceSees.presence).state()).isEqualTo(OnlineState.ONLINE);
            assertThat(List.of(Recorder.next(aliceSees.members).uid(), Recorder.next(aliceSees.members).uid()))
                    .containsExactlyInAnyOrder("r2-bob", "r2-carol");
            final BlockingQueue<Mqtt5Publish> markers = watchMarkers("r2-observer", "r2-room", 3);

            aliceLink.accepting(false);
            aliceLink.cutAll();
            final long cutAt = System.currentTimeMillis();
            // carol leaves while alice is away: alice's old session, which would have queued the leave, is gone
            carol.channels().leave("r2-room").get(10, TimeUnit.SECONDS);
            assertThat(describe(markers, 1000)).containsExactly("rtm/channel/r2-room/member/r2-carol left");
            await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() - cutAt > 2500);
            aliceLink.accepting(true);

            await().atMost(Duration.ofSeconds(10)).until(() -> aliceSees.changes.stream()
                    .anyMatch(c -> c.reason() == ConnectionChangeReason.RECONNECTED));
            final ConnectionChange back = aliceSees.changes.stream()
                    .filter(c -> c.reason() == ConnectionChangeReason.RECONNECTED).findFirst().orElseThrow();
            assertThat(back.sessionResumed()).as("the broker forgot the session").isFalse();

            // the roster is put right: carol's leave, which was never delivered, is reported; bob is not reported again
            final MemberEvent carolLeft = Recorder.next(aliceSees.members);
            assertThat(carolLeft.uid()).isEqualTo("r2-carol");
            assertThat(carolLeft.since()).isNull();
            // alice sends at once after the reconnect: she is a member (the rejoin rode with the login's SUBSCRIBE)
            alice.channels().send("r2-room", "back").get(10, TimeUnit.SECONDS);
            assertThat(Recorder.next(bobSees.channelMessages).text()).isEqualTo("back");
            bob.channels().send("r2-room", "welcome back").get(10, TimeUnit.SECONDS);
            assertThat(Recorder.next(aliceSees.channelMessages).text()).isEqualTo("welcome back");
            assertThat(aliceSees.channelMessages.poll(300, TimeUnit.MILLISECONDS)).as("no own message").isNull();
            service.broadcasts().send("maintenance at noon").get(10, TimeUnit.SECONDS);
            assertThat(Recorder.next(aliceSees.broadcasts).text()).isEqualTo("maintenance at noon");
            // the presence watch is back, and the state it had already told is not told again
            assertThat(aliceSees.presence).isEmpty();
            bob.logout().get(10, TimeUnit.SECONDS);
            final PresenceEvent bobOffline = Recorder.next(aliceSees.presence);
            assertThat(bobOffline.uid()).isEqualTo("r2-bob");
            assertThat(bobOffline.state()).isEqualTo(OnlineState.OFFLINE);
            assertThat(bobOffline.isInitial()).isFalse();

            // the third client saw no leave or join of alice: only bob's logout
            assertThat(describe(markers, 1000)).containsExactly("rtm/channel/r2-room/member/r2-bob left");
            assertThat(Recorder.next(aliceSees.members).uid()).isEqualTo("r2-bob");
            assertThat(aliceSees.members).isEmpty();
        }
    }

    @Test
    void joinAndLeaveWhileReconnecting_happenOnReconnect_andAJoinThatTimedOutUnsentNeverHappens() throws Exception {
        final Recorder aliceSees = new Recorder();
        final Recorder bobSees = new Recorder();
        try (RtmClient alice = TestClients.listening(TestClients.builder(aliceLink, broker, "r3-alice")
                .requestTimeout(Duration.ofSeconds(2)), aliceSees).build();
             RtmClient bob = TestClients.loggedIn(broker, "r3-bob", bobSees)) {
            alice.login().get(10, TimeUnit.SECONDS);
            alice.channels().join("r3-old").get(10, TimeUnit.SECONDS);
            bob.channels().join("r3-new").get(10, TimeUnit.SECONDS);
            bob.channels().join("r3-old").get(10, TimeUnit.SECONDS);
            aliceLink.accepting(false);
            aliceLink.cutAll();
            await().atMost(Duration.ofSeconds(10)).until(() -> alice.state() == ConnectionState.RECONNECTING);

            final ExecutionException timedOut = catchThrowableOfType(ExecutionException.class,
                    () -> alice.channels().join("r3-never").get(10, TimeUnit.SECONDS));
            assertThat(timedOut.getCause()).isInstanceOf(RtmTimeoutException.class).hasMessageContaining("never sent")
                    .hasMessageStartingWith("joining channel 'r3-never' got no answer").hasMessageNotContaining("rtm/");
            assertThat(((RtmTimeoutException) timedOut.getCause()).wasSent()).isFalse();
            assertThat(alice.channels().joined()).containsExactly("r3-old");

            final CompletableFuture<Void> join = alice.channels().join("r3-new");
            final CompletableFuture<Void> leave = alice.channels().leave("r3-old");
            await().atMost(Duration.ofSeconds(5)).until(() -> alice.channels().joined().equals(java.util.Set.of("r3-new")));
            assertThat(join).isNotDone();
            aliceLink.accepting(true);
            join.get(10, TimeUnit.SECONDS);
            leave.get(10, TimeUnit.SECONDS);
            assertThat(Recorder.nextMatching(bobSees.members, e -> e.channel().equals("r3-new")).uid()).isEqualTo("r3-alice");
            assertThat(Recorder.nextMatching(bobSees.members, e -> e.channel().equals("r3-old")).since())
                    .as("alice left r3-old").isNull();
            assertThat(alice.channels().joinedOnServer().get(10, TimeUnit.SECONDS)).containsExactly("r3-new");
        }
    }
}
