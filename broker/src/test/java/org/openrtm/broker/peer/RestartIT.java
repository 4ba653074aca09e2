package org.openrtm.broker.peer;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.poll;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

class RestartIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    @Test
    void cachedMessages_receiptsAndDedup_surviveABrokerRestart() throws Exception {
        Mqtt5BlockingClient alice = connect(broker, "alice-r");
        final List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(prop(publish(alice, "rtm/user/bob-r/inbox/alice-r", "before restart " + i,
                    Map.of("rtm-cid", "c" + i, "rtm-receipt", "true")), "rtm-id"));
        }
        alice.disconnect();

        broker.restart();

        alice = connect(broker, "alice-r");
        // a retry of an already cached message is recognised after the restart
        final var retry = publish(alice, "rtm/user/bob-r/inbox/alice-r", "before restart 2",
                Map.of("rtm-cid", "c2", "rtm-receipt", "true"));
        assertThat(prop(retry, "rtm-id")).isEqualTo(ids.get(2));
        assertThat(prop(retry, "rtm-status")).isEqualTo("cached");
        alice.disconnect();

        final Mqtt5BlockingClient bob = connect(broker, "bob-r");
        final BlockingQueue<Mqtt5Publish> inbox = subscribe(bob, "rtm/user/bob-r/inbox/+");
        for (int i = 0; i < 3; i++) {
            final Mqtt5Publish got = next(inbox);
            assertThat(text(got)).isEqualTo("before restart " + i);
            assertThat(prop(got, "rtm-id")).isEqualTo(ids.get(i));
            assertThat(prop(got, "rtm-offline")).isEqualTo("true");
        }
        assertThat(poll(inbox, 300)).isEmpty();
        bob.disconnect();

        broker.restart();
        final Mqtt5BlockingClient aliceAgain = connect(broker, "alice-r");
        final BlockingQueue<Mqtt5Publish> events = subscribe(aliceAgain, "rtm/user/alice-r/event");
        final List<String> receipted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            receipted.add(com.google.gson.JsonParser.parseString(text(next(events))).getAsJsonObject().get("id")
                    .getAsString());
        }
        assertThat(receipted).containsExactlyElementsOf(ids);
        // and bob's acknowledged messages stayed acknowledged across the restart
        final Mqtt5BlockingClient bobAgain = connect(broker, "bob-r");
        assertThat(poll(subscribe(bobAgain, "rtm/user/bob-r/inbox/+"), 500)).isEmpty();
        bobAgain.disconnect();
        aliceAgain.disconnect();
    }
}
