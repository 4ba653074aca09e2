package org.openrtm.sdk.internal;

import org.junit.jupiter.api.Test;
import org.openrtm.protocol.RtmTopics;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Exception texts in the SDK's words: no topic reaches the application. */
class WordingTest {

    @Test
    void serverHints_toSubscribe_becomeTheMethodToCall() {
        assertThat(Wording.serverReason("you are not a member of channel 'class-7b'; subscribe to "
                + RtmTopics.channelMsgFilter("class-7b") + " to join it"))
                .isEqualTo("you are not a member of channel 'class-7b'; call channels().join(\"class-7b\") first");
        assertThat(Wording.serverReason("you are not a member of channel 'room'; only members write its attributes "
                + "(join it by subscribing to " + RtmTopics.channelMsgFilter("room") + ")"))
                .isEqualTo("you are not a member of channel 'room'; only members write its attributes "
                        + "(call channels().join(\"room\") first)");
        assertThat(Wording.serverReason("payload is 8193 bytes, over the limit of 8192")).isEqualTo(
                "payload is 8193 bytes, over the limit of 8192");
        assertThat(Wording.serverReason("no messages on " + RtmTopics.channelMsg("room", "bob"))).isEqualTo(
                "no messages on channel 'room'");
    }

    @Test
    void operations_nameWhatAndToWhom_notTheTopic() {
        assertThat(Wording.operation(pending(Pending.Kind.PEER, RtmTopics.inbox("bob", "alice"), null)))
                .isEqualTo("message 'c-1' to 'bob'");
        assertThat(Wording.operation(pending(Pending.Kind.CHANNEL, RtmTopics.channelMsg("room", "alice"), null)))
                .isEqualTo("message 'c-1' to channel 'room'");
        assertThat(Wording.operation(pending(Pending.Kind.RPC, RtmTopics.rpc("server.info"), "server.info")))
                .isEqualTo("request server.info");
        assertThat(Wording.operation(pending(Pending.Kind.CALL, RtmTopics.call("car-42", "leo"), null)))
                .isEqualTo("call action 'c-1' to 'car-42'");
    }

    @Test
    void subscriptions_areJoinsWatchesAndListening() {
        assertThat(Wording.subscription(true, List.of(RtmTopics.channelMsgFilter("room"), RtmTopics.memberFilter("room"),
                RtmTopics.count("room")))).isEqualTo("joining channel 'room'");
        assertThat(Wording.subscription(false, List.of(RtmTopics.channelMsgFilter("room"))))
                .isEqualTo("leaving channel 'room'");
        assertThat(Wording.subscription(true, List.of(RtmTopics.presence("a"), RtmTopics.presence("b"))))
                .isEqualTo("watching the presence of 'a', 'b'");
        assertThat(Wording.subscription(true, List.of(RtmTopics.BROADCAST_FILTER))).isEqualTo("listening to broadcasts");
        assertThat(Wording.thing(RtmTopics.userAttrFilter("hub"))).isEqualTo("watching the attributes of user 'hub'");
    }

    private static Pending pending(final Pending.Kind kind, final String topic, final String method) {
        return new Pending(kind, 1, topic, new byte[0], true, List.of(), null, "c-1", method);
    }
}
