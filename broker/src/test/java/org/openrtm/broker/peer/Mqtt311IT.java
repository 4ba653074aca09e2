package org.openrtm.broker.peer;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.connect3;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.poll;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

/** MQTT 3.1.1 clients: peer messages both ways; refusals disconnect them (3.1.1 has no negative PUBACK). */
class Mqtt311IT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    @Test
    void mqtt311_sendsAndReceivesPeerMessages_includingCachedOnes() throws Exception {
        final Mqtt5BlockingClient alice = connect(broker, "alice-v5");
        publish(alice, "rtm/user/dev-v3/inbox/alice-v5", "waiting for you");

        final Mqtt3BlockingClient device = connect3(broker, "dev-v3");
        final BlockingQueue<Mqtt3Publish> inbox = new LinkedBlockingQueue<>();
        device.toAsync().subscribeWith().topicFilter("rtm/user/dev-v3/inbox/+").qos(MqttQos.AT_LEAST_ONCE)
                .callback(inbox::add).send().join();
        final Mqtt3Publish cached = inbox.poll(5, TimeUnit.SECONDS);
        assertThat(new String(cached.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("waiting for you");

        final BlockingQueue<Mqtt5Publish> aliceInbox = subscribe(alice, "rtm/user/alice-v5/inbox/+");
        device.publishWith().topic("rtm/user/alice-v5/inbox/dev-v3").qos(MqttQos.AT_LEAST_ONCE)
                .payload("hi from 3.1.1".getBytes(StandardCharsets.UTF_8)).send();
        final Mqtt5Publish got = next(aliceInbox);
        assertThat(text(got)).isEqualTo("hi from 3.1.1");
        assertThat(got.getUserProperties().asList()).anyMatch(p -> p.getName().toString().equals("rtm-id"));

        // live message to the 3.1.1 device
        publish(alice, "rtm/user/dev-v3/inbox/alice-v5", "live");
        assertThat(new String(inbox.poll(5, TimeUnit.SECONDS).getPayloadAsBytes(), StandardCharsets.UTF_8))
                .isEqualTo("live");
        device.disconnect();
        alice.disconnect();
    }

    @Test
    void mqtt311_refusedPublish_disconnectsTheClient_andDeliversNothing() throws Exception {
        final Mqtt5BlockingClient bob = connect(broker, "bob-v5");
        final BlockingQueue<Mqtt5Publish> inbox = subscribe(bob, "rtm/user/bob-v5/inbox/+");
        final CompletableFuture<Void> gone = new CompletableFuture<>();
        final Mqtt3BlockingClient spoofer = MqttClient.builder().useMqttVersion3().identifier("spoof-v3")
                .serverHost("127.0.0.1").serverPort(broker.port())
                .addDisconnectedListener(ctx -> gone.complete(null)).buildBlocking();
        spoofer.connectWith().simpleAuth().username("spoof-v3")
                .password(broker.token("spoof-v3").getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
        spoofer.toAsync().publishWith().topic("rtm/user/bob-v5/inbox/someone-else").qos(MqttQos.AT_LEAST_ONCE)
                .payload("spoof".getBytes(StandardCharsets.UTF_8)).send();
        gone.get(5, TimeUnit.SECONDS);
        assertThat(poll(inbox, 300)).isEmpty();
        bob.disconnect();
    }
}
