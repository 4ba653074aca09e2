package org.openrtm.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.examples.classroom.Classroom;
import org.openrtm.examples.watchchat.WatchChat;
import org.openrtm.sdk.DeliveryStatus;
import org.openrtm.sdk.RtmClient;
import org.openrtm.sdk.RtmClientBuilder;
import org.openrtm.sdk.presence.OnlineState;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Every example's scenario, end to end against a broker, with its observable outcome checked. */
class ExamplesIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

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
    void classroom_rosterCountHandsWhitelistAndALateJoiner() throws Exception {
        final TestSandbox sandbox = new TestSandbox();
        final Classroom.Outcome o = new Classroom(sandbox, Classroom.LateJoinerCatchUp.NONE).run();
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
        assertThat(o.catchUp()).isEmpty();
        assertThat(sandbox.narration()).contains("come with attributes and history");
    }

    @Test
    void theLateJoinerCatchUp_isCalledWithTheLateStudentInTheChannel() throws Exception {
        final TestSandbox sandbox = new TestSandbox();
        final Classroom.Outcome o = new Classroom(sandbox, (student, channel, out) -> List.of(student.uid() + " in "
                + student.channels().joined() + " for " + channel)).run();
        assertThat(o.catchUp()).containsExactly("lee in [class-7b] for class-7b");
        assertThat(sandbox.narration()).doesNotContain("come with attributes and history");
    }
}
