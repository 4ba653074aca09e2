package org.openrtm.broker.peer;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.reason;

class RateLimitIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of(
            "limits.rate-per-second", "2", "limits.rate-burst", "5"));

    @Test
    void senderOverItsRate_isRateLimited_thenRecovers() {
        final Mqtt5BlockingClient alice = connect(broker, "fast-alice");
        final List<Mqtt5PubAck> acks = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            acks.add(publish(alice, "rtm/user/slow-bob/inbox/fast-alice", "m" + i));
        }
        assertThat(acks.subList(0, 5)).allMatch(a -> "cached".equals(prop(a, "rtm-status")));
        final Mqtt5PubAck limited = acks.get(7);
        assertThat(limited.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
        assertThat(prop(limited, "rtm-status")).isEqualTo("rate_limited");
        assertThat(reason(limited)).contains("rate limit is 2 publishes per second with bursts of 5")
                .contains("limits.rate-per-second").contains("retry in");
        // the bucket refills at 2 per second
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200)).until(() ->
                "cached".equals(prop(publish(alice, "rtm/user/slow-bob/inbox/fast-alice", "later"), "rtm-status")));
        alice.disconnect();
    }
}
