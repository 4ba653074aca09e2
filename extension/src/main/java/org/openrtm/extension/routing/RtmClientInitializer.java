package org.openrtm.extension.routing;

import com.hivemq.extension.sdk.api.client.ClientContext;
import com.hivemq.extension.sdk.api.client.parameter.InitializerInput;
import com.hivemq.extension.sdk.api.services.intializer.ClientInitializer;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.access.SubscriptionListener;
import org.openrtm.extension.access.SubscriptionRepair;
import org.openrtm.extension.access.SubscriptionTracker;
import org.openrtm.extension.delivery.DeliveryTracker;
import org.openrtm.extension.delivery.Acknowledgements;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.session.ConnectionAttributes;
import org.openrtm.extension.session.Sessions;
import org.openrtm.protocol.TopicFamily;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/** Gives every authenticated connection its own interceptors, bound to its {@link Connection}. Thread-safe. */
public final class RtmClientInitializer implements ClientInitializer {

    private static final Logger log = LoggerFactory.getLogger(RtmClientInitializer.class);

    private final Sessions sessions;
    private final PublishRouter.Rules rules;
    private final Map<TopicFamily, Acknowledgements> acknowledgements;
    private final List<SubscriptionListener> subscriptionListeners;
    private final @Nullable SubscriptionRepair repair;

    /**
     * @param sessions              the connection registry
     * @param rules                 how publishes are judged
     * @param acknowledgements      who is told about the client's acknowledgements of messages of each topic family
     * @param subscriptionListeners who is told about the client's subscriptions
     * @param repair                makes sure granted subscriptions are in place, or {@code null}
     */
    public RtmClientInitializer(
            final @NotNull Sessions sessions,
            final @NotNull PublishRouter.Rules rules,
            final @NotNull Map<TopicFamily, Acknowledgements> acknowledgements,
            final @NotNull List<SubscriptionListener> subscriptionListeners,
            final @Nullable SubscriptionRepair repair) {
        this.sessions = sessions;
        this.rules = rules;
        this.acknowledgements = Map.copyOf(acknowledgements);
        this.subscriptionListeners = List.copyOf(subscriptionListeners);
        this.repair = repair;
    }

    @Override
    public void initialize(final @NotNull InitializerInput input, final @NotNull ClientContext context) {
        final Connection c = ConnectionAttributes.of(sessions, input.getConnectionInformation());
        if (c == null) {
            log.warn("Client {} has no RTM connection state; it gets no RTM interceptors",
                    input.getClientInformation().getClientId());
            return;
        }
        context.addPublishInboundInterceptor(new PublishRouter(c, rules));
        if (c.isMqtt5()) {
            final AckStamper stamper = new AckStamper(c);
            context.addPubackOutboundInterceptor(stamper);
            context.addPubrecOutboundInterceptor(stamper);
        }
        final DeliveryTracker tracker = new DeliveryTracker(c, acknowledgements);
        context.addPublishOutboundInterceptor(tracker);
        context.addPubackInboundInterceptor(tracker);
        final SubscriptionTracker subscriptions = new SubscriptionTracker(c, subscriptionListeners, repair);
        context.addSubscribeInboundInterceptor(subscriptions);
        context.addSubackOutboundInterceptor(subscriptions);
        context.addUnsubscribeInboundInterceptor(subscriptions);
    }
}
