package org.openrtm.extension.routing;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.RtmStatus;

import java.util.List;
import java.util.Map;

/**
 * The outcome of one publish under {@code rtm/}: what its PUBACK carries.
 *
 * @param status the status ({@code rtm-status} and reason code)
 * @param rtmId  the rtm-id assigned, or {@code null} when the publish was refused
 * @param reason the reason string for people, or {@code null} on plain success
 * @param extra  more user properties for the PUBACK (for example {@code rtm-recipients}), never {@code null}
 * @param relay  if not {@code null}, the broker delivers the publish itself to every matching subscriber, with these
 *               user properties instead of the sender's and the retain flag as given by {@code relayRetain}; if
 *               {@code null}, the publish is not delivered by the broker (the service delivered it, or refused it)
 * @param relayRetain the retain flag of a relayed publish
 */
public record SendResult(
        @NotNull RtmStatus status,
        @Nullable String rtmId,
        @Nullable String reason,
        @NotNull Map<String, String> extra,
        @Nullable List<Map.Entry<String, String>> relay,
        boolean relayRetain) {

    public SendResult {
        extra = Map.copyOf(extra);
        relay = relay == null ? null : List.copyOf(relay);
    }

    /** A result without relay. */
    public SendResult(final @NotNull RtmStatus status, final @Nullable String rtmId, final @Nullable String reason,
                      final @NotNull Map<String, String> extra) {
        this(status, rtmId, reason, extra, null, false);
    }

    /** A refusal with a reason that names the rule, the limit and the value. */
    public static @NotNull SendResult refused(final @NotNull RtmStatus status, final @NotNull String reason) {
        return new SendResult(status, null, reason, Map.of());
    }

    /** A success without extra properties. */
    public static @NotNull SendResult ok(final @NotNull RtmStatus status, final @Nullable String rtmId,
                                         final @Nullable String reason) {
        return new SendResult(status, rtmId, reason, Map.of());
    }
}
