package org.openrtm.broker.history;

import com.google.gson.JsonObject;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.extension.history.HistoryService;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.rpc;
import static org.openrtm.broker.testing.Clients.subscribe;

class HistoryRetentionIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of(
            "history.retention", "2s", "history.sweep-interval", "1s"));

    @Test
    void messagesOlderThanTheRetention_areRemovedByTheBackgroundSweep() throws Exception {
        final Mqtt5BlockingClient a = connect(broker, "a1");
        final BlockingQueue<Mqtt5Publish> events = subscribe(a, "rtm/user/a1/event");
        for (int i = 0; i < 5; i++) {
            publish(a, "rtm/user/b1/inbox/a1", "old " + i);
        }
        final JsonObject fresh = rpc(a, events, "history.query", "{\"peer\":\"b1\"}").getAsJsonObject("result");
        assertThat(fresh.getAsJsonArray("messages")).hasSize(5);
        final HistoryService history = broker.broker().runtime().history();
        final long before = history.sweepStats().expired();
        await().atMost(Duration.ofSeconds(15)).until(() -> history.sweepStats().expired() - before >= 5);
        assertThat(rpc(a, events, "history.query", "{\"peer\":\"b1\",\"order\":\"asc\"}").getAsJsonObject("result")
                .getAsJsonArray("messages")).isEmpty();
        // new messages are kept again until they are old
        publish(a, "rtm/user/b1/inbox/a1", "new");
        assertThat(rpc(a, events, "history.query", "{\"peer\":\"b1\"}").getAsJsonObject("result")
                .getAsJsonArray("messages")).hasSize(1);
        a.disconnect();
    }
}
