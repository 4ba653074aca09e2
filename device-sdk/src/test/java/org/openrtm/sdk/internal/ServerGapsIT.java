package org.openrtm.sdk.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.sdk.RtmClient;
import org.openrtm.sdk.channel.ChannelMessage;
import org.openrtm.sdk.testing.Recorder;
import org.openrtm.sdk.testing.TestClients;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the server does not (yet) do what the contract says, pinned down as it behaves today, so that a fix on the
 * server makes these tests fail and the SDK's documentation can be updated with them. Each is reported to the lead.
 */
class ServerGapsIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    /**
     * The contract: a repeat of the same (sender, {@code rtm-cid}) within the de-duplication window is acknowledged
     * with the first result and not delivered twice. The server de-duplicates peer messages only: a channel message
     * sent again with the same {@code rtm-cid} (as the SDK's outbox does after a connection drops before the PUBACK)
     * is delivered a second time, with a new {@code rtm-id}, so receivers cannot drop it either.
     */
    @Test
    void gap_channelMessageRepeatedWithTheSameCid_isDeliveredTwice() throws Exception {
        final Recorder bobSees = new Recorder();
        try (RtmClient alice = TestClients.loggedIn(broker, "g-alice", new Recorder());
             RtmClient bob = TestClients.loggedIn(broker, "g-bob", bobSees)) {
            alice.channels().join("g-room").get(10, TimeUnit.SECONDS);
            bob.channels().join("g-room").get(10, TimeUnit.SECONDS);
            final ClientCore core = ((DefaultRtmClient) alice).core();
            final byte[] payload = "once".getBytes(StandardCharsets.UTF_8);
            final GroupAck first = (GroupAck) core.sendGroup(Pending.Kind.CHANNEL, RtmTopics.channelMsg("g-room", "g-alice"),
                    payload, true, Map.of(), "same-cid", null, 1).get(10, TimeUnit.SECONDS);
            final GroupAck retry = (GroupAck) core.sendGroup(Pending.Kind.CHANNEL, RtmTopics.channelMsg("g-room", "g-alice"),
                    payload, true, Map.of(), "same-cid", null, 1).get(10, TimeUnit.SECONDS);
            final ChannelMessage a = Recorder.next(bobSees.channelMessages);
            final ChannelMessage b = Recorder.next(bobSees.channelMessages);
            assertThat(retry.rtmId).as("the contract wants the first rtm-id again").isNotEqualTo(first.rtmId);
            assertThat(List.of(a.messageId(), b.messageId())).containsExactly(first.rtmId, retry.rtmId);
        }
    }
}
