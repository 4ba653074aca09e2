package org.openrtm.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.examples.carremote.CarRemote;
import org.openrtm.examples.classroom.Classroom;
import org.openrtm.examples.smarthome.SmartHome;
import org.openrtm.examples.watchchat.WatchChat;
import org.openrtm.examples.whiteboard.Whiteboard;
import org.openrtm.sdk.DeliveryStatus;
import org.openrtm.sdk.RtmClient;
import org.openrtm.sdk.RtmClientBuilder;
import org.openrtm.sdk.presence.OnlineState;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Every example's scenario, end to end against a broker, with its observable outcome checked. */
class ExamplesIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(EmbeddedSandbox.SETTINGS);

    /** A sandbox on the test broker that records the narration. */
    private static final class TestSandbox implements Sandbox {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        @Override
        public RtmClientBuilder client(final String uid) {
            return RtmClient.builder().serverUri("tcp://127.0.0.1:" + broker.port()).uid(uid).token(broker.token(uid));
        }

        @Override
        public PrintStream out() {
            return out;
        }

        String narration() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void watchChat_presenceOfflineMessagesAndReceipts() throws Exception {
        final TestSandbox sandbox = new TestSandbox();
        final WatchChat.Outcome o = new WatchChat(sandbox).run();
        assertThat(o.presenceSeen()).containsExactly(OnlineState.ONLINE, OnlineState.OFFLINE, OnlineState.ONLINE);
        assertThat(o.sendStatuses()).containsExactly(DeliveryStatus.DELIVERED, DeliveryStatus.CACHED, DeliveryStatus.CACHED);
        assertThat(o.watchReceived()).containsExactly("Running late?", "Where are you? (offline)",
                "I'm at the cafe (offline)");
        assertThat(o.phoneReceived()).containsExactly("5 min");
        assertThat(o.receipts()).isEqualTo(3);
        assertThat(sandbox.narration()).contains("[phone] the watch is OFFLINE", "(waited while offline)");
    }

    @Test
    void classroom_rosterCountPinnedHandsWhitelistAndALateJoinerWithHistory() throws Exception {
        final TestSandbox sandbox = new TestSandbox();
        final Classroom.Outcome o = new Classroom(sandbox).run();
        assertThat(o.rosters()).containsExactly(Set.of("sam"), Set.of("sam", "kim"), Set.of("sam", "kim", "lee"),
                Set.of("sam", "kim"));
        assertThat(o.counts()).last().isEqualTo(3);
        assertThat(o.counts()).contains(4);
        assertThat(o.welcomeReceived()).containsExactly("kim", "sam");
        assertThat(o.handsRaised()).containsExactly("sam");
        assertThat(o.handSeenBy()).containsExactly("kim", "ms-rivera");
        assertThat(o.question()).isEqualTo("kim: Is 2/4 the same as 1/2?");
        assertThat(o.questionLeakedTo()).isEmpty();
        assertThat(o.lateJoinerRoster()).containsExactly("kim", "ms-rivera", "sam");
        assertThat(o.pinnedSeenBy()).containsExactly("kim", "sam");
        assertThat(o.lateJoinerPinned()).isEqualTo(Classroom.ANNOUNCEMENT);
        // the lesson so far, in order, without the question only the teacher was meant to get
        assertThat(o.replay()).containsExactly("ms-rivera: Welcome! Today: fractions.", "sam: ✋", "ms-rivera: sam");
        assertThat(sandbox.narration()).contains("[lee] pinned: " + Classroom.ANNOUNCEMENT);
    }

    @Test
    void smartHome_commandsWithDeliveryResults_stateAsAttributes_presenceOfTheHub() throws Exception {
        final TestSandbox sandbox = new TestSandbox();
        final SmartHome.Outcome o = new SmartHome(sandbox).run();
        assertThat(o.hubPresence()).containsExactly(OnlineState.ONLINE, OnlineState.OFFLINE);
        assertThat(o.commandResults()).containsExactly(DeliveryStatus.DELIVERED, DeliveryStatus.UNREACHABLE);
        assertThat(o.stateChanges()).containsExactly("light.kitchen=on");
        assertThat(o.lastKnown()).containsExactly(Map.entry("fw", "2.4.1"), Map.entry("light.kitchen", "on"),
                Map.entry("light.porch", "off"));
        assertThat(sandbox.narration()).contains("[hub] ana-app says: light.kitchen on");
    }

    @Test
    void carRemote_acceptedRefusedAndATimeoutWhenTheCarIsOffline() throws Exception {
        final TestSandbox sandbox = new TestSandbox();
        final CarRemote.Outcome o = new CarRemote(sandbox).run();
        assertThat(o.sent()).containsExactly(DeliveryStatus.DELIVERED, DeliveryStatus.DELIVERED, DeliveryStatus.CACHED);
        assertThat(o.outcomes()).containsExactly("ACCEPTED unlocked", "REFUSED wrong PIN", "FAILED PEER_OFFLINE");
        assertThat(o.locked()).isEqualTo("false");
        assertThat(sandbox.narration()).contains("[car] leo-phone asks: unlock 4711", "[phone] the car has the request");
    }

    @Test
    void whiteboard_strokesStreamedAt60PerSecond_redrawnByALateJoinerFromHistory() throws Exception {
        final TestSandbox sandbox = new TestSandbox();
        final Whiteboard.Outcome o = new Whiteboard(sandbox).run();
        assertThat(o.sentPerStroke()).containsExactly(Map.entry("circle", 60), Map.entry("line", 30));
        assertThat(o.livePoints()).isEqualTo(90);
        // 90 points paced at 60 per second: about 1.5 s; never faster than the pace, and a heavily loaded machine
        // (the test suite runs two test JVMs on two cores) may be well slower
        assertThat(o.pointsPerSecond()).isBetween(10.0, 65.0);
        assertThat(o.redrawnPerStroke()).isEqualTo(o.sentPerStroke());
        assertThat(o.redrawnInOrder()).isTrue();
        assertThat(String.join("\n", o.board())).contains("o").contains("/");
    }
}
