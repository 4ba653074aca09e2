package org.openrtm.extension.access;

import com.hivemq.extension.sdk.api.interceptor.suback.SubackOutboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.suback.parameter.SubackOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.suback.parameter.SubackOutboundOutput;
import com.hivemq.extension.sdk.api.interceptor.subscribe.SubscribeInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.subscribe.parameter.SubscribeInboundInput;
import com.hivemq.extension.sdk.api.interceptor.subscribe.parameter.SubscribeInboundOutput;
import com.hivemq.extension.sdk.api.interceptor.unsubscribe.UnsubscribeInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.unsubscribe.parameter.UnsubscribeInboundInput;
import com.hivemq.extension.sdk.api.interceptor.unsubscribe.parameter.UnsubscribeInboundOutput;
import com.hivemq.extension.sdk.api.packets.subscribe.RetainHandling;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.Subscription;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.session.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Pairs each SUBSCRIBE with its SUBACK to learn which subscriptions took effect, and reports UNSUBSCRIBEs. After each
 * SUBACK it has {@link SubscriptionRepair} make sure the granted subscriptions are really in place. One instance per
 * connection; HiveMQ calls it on the client's extension task queue.
 */
public final class SubscriptionTracker
        implements SubscribeInboundInterceptor, SubackOutboundInterceptor, UnsubscribeInboundInterceptor {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionTracker.class);

    /** A requested subscription, and the filter's change count once this SUBSCRIBE was seen. */
    private record Requested(Subscription subscription, Integer subscriptionId, long generation) {

        String filter() {
            return subscription.getTopicFilter();
        }
    }

    private final Connection connection;
    private final List<SubscriptionListener> listeners;
    private final @Nullable SubscriptionRepair repair;
    private final Map<Integer, List<Requested>> pending = new ConcurrentHashMap<>();
    /** Per filter: how many SUBSCRIBEs and UNSUBSCRIBEs named it. */
    private final Map<String, Long> changes = new ConcurrentHashMap<>();

    /**
     * @param repair makes sure granted subscriptions are in place, or {@code null} to trust the broker
     */
    public SubscriptionTracker(final @NotNull Connection connection, final @NotNull List<SubscriptionListener> listeners,
                               final @Nullable SubscriptionRepair repair) {
        this.connection = connection;
        this.listeners = listeners;
        this.repair = repair;
    }

    private long changed(final String filter) {
        return changes.merge(filter, 1L, Long::sum);
    }

    @Override
    public void onInboundSubscribe(final @NotNull SubscribeInboundInput input, final @NotNull SubscribeInboundOutput output) {
        final List<Requested> req = new ArrayList<>();
        final Integer id = input.getSubscribePacket().getSubscriptionIdentifier().orElse(null);
        for (final Subscription s : input.getSubscribePacket().getSubscriptions()) {
            req.add(new Requested(s, id, changed(s.getTopicFilter())));
        }
        pending.put(input.getSubscribePacket().getPacketId(), req);
    }

    @Override
    public void onOutboundSuback(final @NotNull SubackOutboundInput input, final @NotNull SubackOutboundOutput output) {
        final List<Requested> req = pending.remove(input.getSubackPacket().getPacketIdentifier());
        if (req == null) {
            return;
        }
        final List<SubackReasonCode> codes = input.getSubackPacket().getReasonCodes();
        final List<SubscriptionRepair.Granted> toCheck = new ArrayList<>(req.size());
        final Map<String, Long> generations = new HashMap<>();
        for (int i = 0; i < req.size() && i < codes.size(); i++) {
            final SubackReasonCode code = codes.get(i);
            final boolean granted = code == SubackReasonCode.GRANTED_QOS_0 || code == SubackReasonCode.GRANTED_QOS_1
                    || code == SubackReasonCode.GRANTED_QOS_2;
            final Requested r = req.get(i);
            if (granted) {
                final Subscription s = r.subscription();
                toCheck.add(new SubscriptionRepair.Granted(r.filter(), grantedQos(code), s.getNoLocal(),
                        s.getRetainAsPublished(), s.getRetainHandling() != RetainHandling.DO_NOT_SEND,
                        r.subscriptionId()));
                generations.put(r.filter(), r.generation());
            }
            if (granted) {
                tell(l -> l.granted(connection, r.filter(), grantedQos(code), r.subscriptionId()));
            } else {
                tell(l -> l.refused(connection, r.filter()));
            }
        }
        if (repair != null && !toCheck.isEmpty()) {
            // a filter is left alone once the client changed it again, or once the connection closed and took a clean
            // session (and its subscriptions) with it. A repaired subscription is announced again, so that what waited
            // for it (the offline cache, a waiting invitation) is handed over now; every listener takes a repeated
            // grant as a no-op otherwise
            repair.check(connection.uid(), toCheck, f -> generations.get(f).equals(changes.get(f))
                    && (!connection.isClosed() || connection.sessionExpirySeconds() > 0),
                    g -> tell(l -> l.granted(connection, g.filter(), g.qos(), g.subscriptionId())));
        }
    }

    /** Tells every listener; one that fails is logged and does not keep the others from hearing it. */
    private void tell(final Consumer<SubscriptionListener> event) {
        for (final SubscriptionListener l : listeners) {
            try {
                event.accept(l);
            } catch (final RuntimeException e) {
                log.error("Subscription listener failed for {}: {}", connection.uid(), e.toString());
                log.debug("Listener failure", e);
            }
        }
    }

    private static int grantedQos(final SubackReasonCode code) {
        if (code == SubackReasonCode.GRANTED_QOS_0) {
            return 0;
        }
        return code == SubackReasonCode.GRANTED_QOS_1 ? 1 : 2;
    }

    @Override
    public void onInboundUnsubscribe(final @NotNull UnsubscribeInboundInput input,
                                     final @NotNull UnsubscribeInboundOutput output) {
        for (final String filter : input.getUnsubscribePacket().getTopicFilters()) {
            changed(filter);
            tell(l -> l.removed(connection, filter));
        }
    }
}
