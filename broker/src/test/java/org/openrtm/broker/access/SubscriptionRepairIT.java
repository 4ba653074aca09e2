package org.openrtm.broker.access;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.subscription.TopicSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.extension.access.SubscriptionRepair;
import org.openrtm.extension.delivery.HiveMqOutbound;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.poll;
import static org.openrtm.broker.testing.Clients.publishRetained;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

/**
 * The subscription repair against the real broker: a granted subscription that HiveMQ does not hold (here removed
 * behind the client's back, as HiveMQ CE's session-lookup race leaves it) is added again with its options, and the
 * retained messages of its filter are sent, as with the SUBACK (without the RETAIN flag, as HiveMQ forwards them to a
 * subscription without Retain As Published); subscriptions in place are left alone.
 */
class SubscriptionRepairIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    private static List<String> filtersOf(final String clientId) throws Exception {
        return Services.subscriptionStore().getSubscriptions(clientId).get(5, TimeUnit.SECONDS).stream()
                .map(TopicSubscription::getTopicFilter).sorted().toList();
    }

    @Test
    void aDroppedSubscription_isAddedAgain_withItsRetainedMessages_andOthersAreLeftAlone() throws Exception {
        final Mqtt5BlockingClient ivy = connect(broker, "ivy-repair");
        publishRetained(ivy, "rtm/user/ivy-repair/attr/color", "red".getBytes(StandardCharsets.UTF_8), Map.of());
        final BlockingQueue<Mqtt5Publish> attrs = subscribe(ivy, "rtm/user/ivy-repair/attr/+");
        assertThat(text(next(attrs))).isEqualTo("red");
        subscribe(ivy, "rtm/user/ivy-repair/inbox/+");
        assertThat(filtersOf("ivy-repair")).containsExactly("rtm/user/ivy-repair/attr/+", "rtm/user/ivy-repair/inbox/+");

        // what HiveMQ CE's race leaves behind: the SUBACK said granted, the broker holds no subscription
        Services.subscriptionStore().removeSubscription("ivy-repair", "rtm/user/ivy-repair/attr/+").get(5, TimeUnit.SECONDS);
        assertThat(filtersOf("ivy-repair")).containsExactly("rtm/user/ivy-repair/inbox/+");

        final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            final SubscriptionRepair repair = new SubscriptionRepair(new HiveMqOutbound(Services.publishService(),
                    Services.retainedMessageStore(), Services.subscriptionStore()), scheduler);
            final List<String> announced = new CopyOnWriteArrayList<>();
            repair.check("ivy-repair", List.of(
                    new SubscriptionRepair.Granted("rtm/user/ivy-repair/attr/+", 1, false, false, true, null),
                    new SubscriptionRepair.Granted("rtm/user/ivy-repair/inbox/+", 1, false, false, true, null)),
                    f -> true, g -> announced.add(g.filter())).get(10, TimeUnit.SECONDS);

            assertThat(repair.repaired()).isEqualTo(1);
            assertThat(announced).containsExactly("rtm/user/ivy-repair/attr/+");
            assertThat(filtersOf("ivy-repair")).containsExactly("rtm/user/ivy-repair/attr/+", "rtm/user/ivy-repair/inbox/+");
            final Mqtt5Publish again = next(attrs);
            assertThat(again.getTopic().toString()).isEqualTo("rtm/user/ivy-repair/attr/color");
            // HiveMQ hands it over as it forwards any publish: with RETAIN only if the subscription has Retain As Published
            assertThat(again.isRetain()).isFalse();
            assertThat(text(again)).isEqualTo("red");

            // and it routes again: a new value reaches the client
            publishRetained(ivy, "rtm/user/ivy-repair/attr/color", "blue".getBytes(StandardCharsets.UTF_8), Map.of());
            assertThat(text(next(attrs))).isEqualTo("blue");

            // a filter the client changed since (stillCurrent false) is not touched
            Services.subscriptionStore().removeSubscription("ivy-repair", "rtm/user/ivy-repair/attr/+")
                    .get(5, TimeUnit.SECONDS);
            repair.check("ivy-repair", List.of(
                    new SubscriptionRepair.Granted("rtm/user/ivy-repair/attr/+", 1, false, false, true, null)),
                    f -> false, g -> announced.add(g.filter())).get(10, TimeUnit.SECONDS);
            assertThat(repair.repaired()).isEqualTo(1);
            assertThat(announced).hasSize(1);
            assertThat(filtersOf("ivy-repair")).containsExactly("rtm/user/ivy-repair/inbox/+");
            assertThat(poll(attrs, 300)).isEmpty();
        } finally {
            scheduler.shutdownNow();
            ivy.disconnect();
        }
    }
}
