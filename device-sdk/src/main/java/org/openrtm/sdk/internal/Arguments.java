package org.openrtm.sdk.internal;

import org.jetbrains.annotations.Contract;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Limits;
import org.openrtm.protocol.Props;

import java.time.Duration;
import java.util.Objects;

/**
 * The argument checks that the SDK's option builders share ({@code SendOptions}, {@code ChannelSendOptions},
 * {@code InvitationOptions}, {@code RtmClientBuilder}), so that one rule has one wording: each error names the
 * parameter, the rule and the value. Not API: it may change without notice. Pure and thread-safe.
 */
public final class Arguments {

    /** Longest client message id ({@code rtm-cid}) the server accepts. */
    public static final int MAX_CLIENT_MESSAGE_ID_LENGTH = Limits.MAX_CID_LENGTH;

    private Arguments() {
    }

    /**
     * A duration that must be positive.
     *
     * @return {@code d}
     * @throws NullPointerException     if {@code d} is null (the message is {@code name})
     * @throws IllegalArgumentException if {@code d} is zero or negative
     */
    public static @NotNull Duration positive(final @NotNull String name, final @Nullable Duration d) {
        Objects.requireNonNull(d, name);
        return Objects.requireNonNull(positiveOrNull(name, d));
    }

    /**
     * An optional duration that must be positive when given.
     *
     * @return {@code d}, which may be null
     * @throws IllegalArgumentException if {@code d} is zero or negative
     */
    @Contract("_, null -> null; _, !null -> !null")
    public static @Nullable Duration positiveOrNull(final @NotNull String name, final @Nullable Duration d) {
        if (d != null && (d.isZero() || d.isNegative())) {
            throw new IllegalArgumentException(name + " must be positive, but was " + d);
        }
        return d;
    }

    /**
     * An optional client message id ({@code rtm-cid}): 1 to {@value #MAX_CLIENT_MESSAGE_ID_LENGTH} characters.
     *
     * @return {@code clientMessageId}, which may be null
     * @throws IllegalArgumentException if it is empty or longer
     */
    @Contract("null -> null; !null -> !null")
    public static @Nullable String clientMessageId(final @Nullable String clientMessageId) {
        if (clientMessageId != null
                && (clientMessageId.isEmpty() || clientMessageId.length() > MAX_CLIENT_MESSAGE_ID_LENGTH)) {
            throw new IllegalArgumentException("clientMessageId must be 1 to " + MAX_CLIENT_MESSAGE_ID_LENGTH
                    + " characters, but was " + clientMessageId.length() + " characters");
        }
        return clientMessageId;
    }

    /**
     * An application user property: a non-null name that is not empty and not one of the protocol's own
     * ({@code rtm-*}), and a non-null value.
     *
     * @throws NullPointerException     if the name ({@code "name"}) or the value ({@code "value"}) is null
     * @throws IllegalArgumentException if the name is empty or starts with {@code rtm-}
     */
    public static void userProperty(final @Nullable String name, final @Nullable String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty() || Props.isProtocols(name)) {
            throw new IllegalArgumentException("property name must be non-empty and must not start with 'rtm-', but was '"
                    + name + "'");
        }
    }
}
