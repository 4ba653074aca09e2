package org.openrtm.extension.access;

import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import org.jetbrains.annotations.NotNull;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.session.ConnectionAttributes;
import org.openrtm.extension.session.Sessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Decides every subscription with the {@link AccessPolicy} and the guards. One instance for all clients. */
public final class RtmSubscriptionAuthorizer implements SubscriptionAuthorizer {

    private static final Logger log = LoggerFactory.getLogger(RtmSubscriptionAuthorizer.class);

    private final Sessions sessions;
    private final AccessPolicy policy;
    private final List<SubscriptionGuard> guards = new CopyOnWriteArrayList<>();

    public RtmSubscriptionAuthorizer(final @NotNull Sessions sessions, final @NotNull AccessPolicy policy) {
        this.sessions = sessions;
        this.policy = policy;
    }

    /** Adds a check that runs after the policy allowed a subscription. */
    public void addGuard(final @NotNull SubscriptionGuard guard) {
        guards.add(guard);
    }

    @Override
    public void authorizeSubscribe(final @NotNull SubscriptionAuthorizerInput input,
                                   final @NotNull SubscriptionAuthorizerOutput output) {
        final String filter = input.getSubscription().getTopicFilter();
        try {
            final Connection c = ConnectionAttributes.of(sessions, input.getConnectionInformation());
            if (c == null) {
                output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, "the connection is not authenticated");
                return;
            }
            AccessPolicy.Decision d = policy.subscribe(c.uid(), c.role(), filter);
            if (d.allowed()) {
                for (final SubscriptionGuard g : guards) {
                    final AccessPolicy.Decision refusal = g.check(c, filter);
                    if (refusal != null) {
                        d = refusal;
                        break;
                    }
                }
            }
            if (d.allowed()) {
                output.authorizeSuccessfully();
                return;
            }
            log.debug("Subscription of {} to {} refused: {}", c.uid(), filter, d.reason());
            output.failAuthorization(code(d.reasonCode()), d.reason() == null ? "not authorized" : d.reason());
        } catch (final RuntimeException e) {
            log.error("Subscription check of {} failed: {}", filter, e.toString());
            log.debug("Subscription check failure", e);
            output.failAuthorization(SubackReasonCode.UNSPECIFIED_ERROR, "the server failed to check the subscription");
        }
    }

    private static SubackReasonCode code(final int reasonCode) {
        switch (reasonCode) {
            case 0x8F:
                return SubackReasonCode.TOPIC_FILTER_INVALID;
            case 0x97:
                return SubackReasonCode.QUOTA_EXCEEDED;
            case 0x87:
                return SubackReasonCode.NOT_AUTHORIZED;
            default:
                return SubackReasonCode.UNSPECIFIED_ERROR;
        }
    }
}
