package org.openrtm.broker.attribute;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.poll;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.publishRetained;
import static org.openrtm.broker.testing.Clients.rpc;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

class ClearOnLogoutIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of("attr.clear-user-on-logout", "true"));

    private static void write(final Mqtt5BlockingClient c, final String topic, final String value) {
        assertThat(prop(publishRetained(c, topic, value.getBytes(StandardCharsets.UTF_8), Map.of()), "rtm-status"))
                .isEqualTo("delivered");
    }

    @Test
    void goingOffline_deletesTheUsersAttributes_butNotTheChannelAttributesItWrote() throws Exception {
        final Mqtt5BlockingClient watcher = connect(broker, "watch1");
        final BlockingQueue<Mqtt5Publish> seen = subscribe(watcher, "rtm/user/agent1/attr/+");
        final Mqtt5BlockingClient agent = connect(broker, "agent1");
        subscribe(agent, "rtm/channel/desk1/msg/+");
        write(agent, "rtm/user/agent1/attr/status", "available");
        write(agent, "rtm/channel/desk1/attr/agent", "agent1");
        assertThat(text(next(seen))).isEqualTo("available");

        agent.disconnect();
        final Mqtt5Publish cleared = next(seen);
        assertThat(cleared.getTopic().toString()).isEqualTo("rtm/user/agent1/attr/status");
        assertThat(cleared.getPayloadAsBytes()).isEmpty();
        assertThat(prop(cleared, "rtm-rev")).isEqualTo("2");

        final Mqtt5BlockingClient again = connect(broker, "agent1");
        final BlockingQueue<Mqtt5Publish> events = subscribe(again, "rtm/user/agent1/event");
        assertThat(rpc(again, events, "attr.get", "{\"scope\":\"user\",\"id\":\"agent1\"}").getAsJsonObject("result")
                .size()).isZero();
        assertThat(rpc(again, events, "attr.get", "{\"scope\":\"channel\",\"id\":\"desk1\"}").getAsJsonObject("result")
                .getAsJsonObject("agent").get("value").getAsString()).isEqualTo("agent1");
        again.disconnect();
        watcher.disconnect();
    }

    @Test
    void afterARestart_nobodyIsOnline_soUserAttributesAreGone() throws Exception {
        final Mqtt5BlockingClient dev = connect(broker, "dev2");
        write(dev, "rtm/user/dev2/attr/session", "s-1");

        broker.restart();

        final Mqtt5BlockingClient obs = connect(broker, "obs2");
        assertThat(poll(subscribe(obs, "rtm/user/dev2/attr/+"), 500)).isEmpty();
        final BlockingQueue<Mqtt5Publish> events = subscribe(obs, "rtm/user/obs2/event");
        assertThat(rpc(obs, events, "attr.get", "{\"scope\":\"user\",\"id\":\"dev2\"}").getAsJsonObject("result").size())
                .isZero();
        obs.disconnect();
    }
}
