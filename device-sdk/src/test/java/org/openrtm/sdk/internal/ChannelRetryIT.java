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
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A channel message sent again with the same {@code rtm-cid} (as the SDK's outbox does after a connection drops before
 * the PUBACK) is answered with the first result and reaches every member once.
 */
class ChannelRetryIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    @Test
    void channelMessageRepeatedWithTheSameCid_isAnsweredAgain_andDeliveredOnce() throws Exception {
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
            assertThat(retry.rtmId).as("the first rtm-id again").isEqualTo(first.rtmId);
            final ChannelMessage a = Recorder.next(bobSees.channelMessages);
            assertThat(a.messageId()).isEqualTo(first.rtmId);
            assertThat(bobSees.channelMessages.poll(500, TimeUnit.MILLISECONDS)).as("no second delivery").isNull();
        }
    }
}
