package org.openrtm.extension.access;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.FilterAnalysis;
import org.openrtm.protocol.FilterMatch;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Role;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.protocol.TopicFamily;

import java.util.EnumSet;
import java.util.Set;

/**
 * Who may subscribe to what: the protocol's table as code. Pure and thread-safe.
 *
 * <p>Role {@code user} may read its own private topics (inbox, call, event), the public topics of any single user or
 * channel it names (presence, attributes, members, count), broadcasts, and may join a channel by subscribing to all of
 * its senders. A wildcard over users or channels would read a directory or other users' private topics, and is
 * refused. Roles {@code service} and {@code admin} may read anything under {@code rtm/} except RPC requests. Nobody
 * subscribes to {@code rtm/rpc/}. Families whose feature is not enabled are refused.
 */
public final class AccessPolicy {

    /** A subscription decision. */
    public record Decision(boolean allowed, int reasonCode, @Nullable String reason) {

        static final Decision ALLOW = new Decision(true, 0, null);

        static @NotNull Decision notAuthorized(final @NotNull String reason) {
            return new Decision(false, 0x87, reason);
        }

        static @NotNull Decision invalid(final @NotNull String reason) {
            return new Decision(false, 0x8F, reason);
        }
    }

    private static final String SHARE = "$share/";

    private final Set<TopicFamily> enabled;
    private final boolean allowNonRtm;

    /**
     * @param enabled     the families whose features exist
     * @param allowNonRtm whether topics outside {@code rtm/} are open to authenticated clients
     */
    public AccessPolicy(final @NotNull Set<TopicFamily> enabled, final boolean allowNonRtm) {
        this.enabled = enabled.isEmpty() ? EnumSet.noneOf(TopicFamily.class) : EnumSet.copyOf(enabled);
        this.allowNonRtm = allowNonRtm;
    }

    /** Whether the feature behind a family is enabled. */
    public boolean isEnabled(final @NotNull TopicFamily family) {
        return enabled.contains(family);
    }

    /** Whether topics outside {@code rtm/} are open. */
    public boolean allowsNonRtm() {
        return allowNonRtm;
    }

    /**
     * Decides a subscription.
     *
     * @param uid    the subscriber
     * @param role   its role
     * @param filter the topic filter as sent (may start with {@code $share/group/})
     */
    public @NotNull Decision subscribe(final @NotNull String uid, final @NotNull Role role, final @NotNull String filter) {
        String f = filter;
        boolean shared = false;
        if (f.startsWith(SHARE)) {
            final int slash = f.indexOf('/', SHARE.length());
            if (slash < 0) {
                return Decision.invalid("shared subscription " + Ids.show(filter) + " has no topic filter");
            }
            f = f.substring(slash + 1);
            shared = true;
        }
        final FilterAnalysis a = RtmTopics.analyzeFilter(f);
        switch (a.kind()) {
            case NOT_RTM:
                return allowNonRtm ? Decision.ALLOW
                        : Decision.notAuthorized("topics outside rtm/ are closed on this server (access.non-rtm-topics=deny)");
            case UNKNOWN:
                return Decision.notAuthorized(a.error());
            case INVALID:
                return Decision.invalid(a.error());
            case WILDCARD_ROOT:
                if (!allowNonRtm) {
                    return Decision.notAuthorized("filter " + Ids.show(filter) + " reaches outside rtm/, which is closed "
                            + "on this server (access.non-rtm-topics=deny)");
                }
                break;
            default:
                break;
        }
        if (shared && !role.isPrivileged() && !a.matches().isEmpty()) {
            return Decision.notAuthorized("shared subscriptions cannot read rtm/ topics with role user");
        }
        final boolean explicitRtm = a.kind() == FilterAnalysis.Kind.RTM;
        for (final FilterMatch m : a.matches()) {
            if (!enabled.contains(m.family()) && m.family() != TopicFamily.RPC) {
                // nothing is ever published to a family this server does not serve, so reading it is harmless;
                // a filter that is only about such a family is refused so that the client learns it early
                if (explicitRtm && a.matches().size() == 1) {
                    return Decision.notAuthorized(describe(m.family()) + " is not available on this server");
                }
                continue;
            }
            final Decision d = judge(uid, role, filter, m, explicitRtm);
            if (!d.allowed()) {
                return d;
            }
        }
        return Decision.ALLOW;
    }

    private Decision judge(final String uid, final Role role, final String filter, final FilterMatch m,
                           final boolean explicitRtm) {
        final TopicFamily family = m.family();
        if (family == TopicFamily.RPC) {
            // a wildcard root also matches rtm/rpc/..., where nothing is ever delivered; only an explicit filter is refused
            return explicitRtm ? Decision.notAuthorized("rtm/rpc/ carries requests to the server; nobody subscribes to it")
                    : Decision.ALLOW;
        }
        if (role.isPrivileged()) {
            return Decision.ALLOW;
        }
        switch (family) {
            case INBOX:
            case CALL:
            case EVENT:
                if (m.id() == null) {
                    return refuseWildcard(filter, family);
                }
                if (!m.id().equals(uid)) {
                    return Decision.notAuthorized("you may read only your own " + describe(family) + ", rtm/user/" + uid
                            + "/..., not that of " + Ids.show(m.id()));
                }
                return Decision.ALLOW;
            case PRESENCE:
            case USER_ATTR:
            case BROADCAST:
                if (family != TopicFamily.BROADCAST && m.id() == null) {
                    return refuseWildcard(filter, family);
                }
                return Decision.ALLOW;
            case CHANNEL_MSG:
                if (m.id() == null) {
                    return refuseWildcard(filter, family);
                }
                if (m.sub() != null) {
                    return Decision.notAuthorized("channel messages are read by joining: subscribe to "
                            + RtmTopics.channelMsgFilter(m.id()) + " instead of one sender " + Ids.show(m.sub()));
                }
                return Decision.ALLOW;
            case CHANNEL_MEMBER:
            case CHANNEL_COUNT:
            case CHANNEL_ATTR:
                if (m.id() == null) {
                    return refuseWildcard(filter, family);
                }
                return Decision.ALLOW;
            default:
                return Decision.notAuthorized(describe(family) + " cannot be subscribed to");
        }
    }

    private static Decision refuseWildcard(final String filter, final TopicFamily family) {
        final String over = family.scope() == TopicFamily.Scope.CHANNEL ? "channels" : "users";
        return Decision.notAuthorized("filter " + Ids.show(filter) + " has a wildcard over " + over + " and would read "
                + describe(family) + " of others; role user must name one " + (over.equals("channels") ? "channel" : "user"));
    }

    /** How a family is called in messages. */
    public static @NotNull String describe(final @NotNull TopicFamily family) {
        switch (family) {
            case INBOX:
                return "peer messages (inbox)";
            case CALL:
                return "call invitations";
            case EVENT:
                return "events";
            case PRESENCE:
                return "presence";
            case USER_ATTR:
                return "user attributes";
            case CHANNEL_MSG:
                return "channel messages";
            case CHANNEL_MEMBER:
                return "channel members";
            case CHANNEL_COUNT:
                return "channel member counts";
            case CHANNEL_ATTR:
                return "channel attributes";
            case BROADCAST:
                return "broadcasts";
            default:
                return "RPC requests";
        }
    }
}
