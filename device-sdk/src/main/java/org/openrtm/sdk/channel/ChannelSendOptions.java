package org.openrtm.sdk.channel;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Limits;
import org.openrtm.sdk.internal.Arguments;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Options of one channel message. Immutable; build with {@link #builder()}, or use {@link #defaults()} (every other
 * member gets it).
 *
 * <pre>{@code
 * ChannelSendOptions.builder().only(List.of("teacher")).build()        // a whitelist
 * ChannelSendOptions.builder().except(List.of("bob", "carol")).build() // a blacklist
 * }</pre>
 */
public final class ChannelSendOptions {

    /** Most uids in an {@code only} or {@code except} list. */
    public static final int MAX_LIST = Limits.MAX_RECIPIENT_LIST;
    /** Longest client message id the server accepts. */
    public static final int MAX_CLIENT_MESSAGE_ID_LENGTH = Arguments.MAX_CLIENT_MESSAGE_ID_LENGTH;
    private static final ChannelSendOptions DEFAULTS = new Builder().build();

    private final Set<String> only;
    private final Set<String> except;
    private final boolean history;
    private final boolean atMostOnce;
    private final Duration timeout;
    private final String clientMessageId;
    private final Map<String, String> properties;

    private ChannelSendOptions(final Builder b) {
        this.only = b.only == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(b.only));
        this.except = b.except == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(b.except));
        this.history = b.history;
        this.atMostOnce = b.atMostOnce;
        this.timeout = b.timeout;
        this.clientMessageId = b.clientMessageId;
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(b.properties));
    }

    /** No list, recorded in history, the client's send timeout. */
    public static @NotNull ChannelSendOptions defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static @NotNull Builder builder() {
        return new Builder();
    }

    /** The whitelist ({@code rtm-only}): only these members get the message; null if none. Unmodifiable. */
    public @Nullable Set<String> only() {
        return only;
    }

    /** The blacklist ({@code rtm-except}): every member but these gets the message; null if none. Unmodifiable. */
    public @Nullable Set<String> except() {
        return except;
    }

    /** Whether the server may record the message in history ({@code rtm-history}); default true. */
    public boolean history() {
        return history;
    }

    /**
     * Whether the message is sent at most once (MQTT QoS 0), for streams where a late point is worth less than the
     * next one (pen strokes, positions): no answer from the server, no retry after a reconnect.
     */
    public boolean atMostOnce() {
        return atMostOnce;
    }

    /** The timeout of this send, or null for the client's {@code sendTimeout}. */
    public @Nullable Duration timeout() {
        return timeout;
    }

    /** The client message id ({@code rtm-cid}) to use, or null to let the SDK assign one. */
    public @Nullable String clientMessageId() {
        return clientMessageId;
    }

    /** Application user properties sent along with the message (unmodifiable). */
    public @NotNull Map<String, String> properties() {
        return properties;
    }

    @Override
    public String toString() {
        return "ChannelSendOptions{" + (only != null ? "only=" + only + ", " : "") + (except != null ? "except=" + except
                 + ", " : "") + "history=" + history + (atMostOnce ? ", at most once" : "") + ", timeout=" + timeout
                + ", properties=" + properties.keySet() + '}';
    }

    /** Builds {@link ChannelSendOptions}. Not thread-safe. Every setter validates its argument at once. */
    public static final class Builder {
        private Set<String> only;
        private Set<String> except;
        private boolean history = true;
        private boolean atMostOnce;
        private Duration timeout;
        private String clientMessageId;
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Sends the message only to these members (a whitelist). Listed users who are not members get nothing.
         * Replaces an {@link #except(Collection)} list.
         *
         * @param uids 1 to {@value ChannelSendOptions#MAX_LIST} uids (duplicates count once)
         * @return this
         * @throws IllegalArgumentException if the list is empty, too long, or holds an invalid uid
         */
        public @NotNull Builder only(final @NotNull Collection<String> uids) {
            this.only = list("only", uids);
            this.except = null;
            return this;
        }

        /**
         * Sends the message to every member but these (a blacklist). Replaces an {@link #only(Collection)} list.
         *
         * @param uids 1 to {@value ChannelSendOptions#MAX_LIST} uids (duplicates count once)
         * @return this
         * @throws IllegalArgumentException if the list is empty, too long, or holds an invalid uid
         */
        public @NotNull Builder except(final @NotNull Collection<String> uids) {
            this.except = list("except", uids);
            this.only = null;
            return this;
        }

        /**
         * Whether the server may record the message in history (default true).
         *
         * @return this
         */
        public @NotNull Builder history(final boolean history) {
            this.history = history;
            return this;
        }

        /**
         * Sends the message at most once (MQTT QoS 0; default false). The server still stamps, delivers and records
         * it, but sends no answer: the future completes once the message is written to the connection, with no
         * message id and {@link ChannelSendResult#recipients()} -1, and a refusal (not a member, over the rate) is not
         * reported. For streams at a high rate where a lost point matters less than latency: pen strokes, positions.
         *
         * @return this
         */
        public @NotNull Builder atMostOnce(final boolean atMostOnce) {
            this.atMostOnce = atMostOnce;
            return this;
        }

        /**
         * The timeout of this send (from the call until the server's answer), or null for the client's
         * {@code sendTimeout}.
         *
         * @return this
         * @throws IllegalArgumentException if zero or negative
         */
        public @NotNull Builder timeout(final @Nullable Duration timeout) {
            this.timeout = Arguments.positiveOrNull("timeout", timeout);
            return this;
        }

        /**
         * Sets the message's client id ({@code rtm-cid}) instead of the one the SDK would assign.
         *
         * @return this
         * @throws IllegalArgumentException if not 1 to 128 characters
         */
        public @NotNull Builder clientMessageId(final @Nullable String clientMessageId) {
            this.clientMessageId = Arguments.clientMessageId(clientMessageId);
            return this;
        }

        /**
         * Adds an application user property, passed to the members unchanged ({@link ChannelMessage#properties()}).
         *
         * @return this
         * @throws IllegalArgumentException if the name is empty or starts with {@code rtm-}
         */
        public @NotNull Builder property(final @NotNull String name, final @NotNull String value) {
            Arguments.userProperty(name, value);
            properties.put(name, value);
            return this;
        }

        /** The options. */
        public @NotNull ChannelSendOptions build() {
            return new ChannelSendOptions(this);
        }

        private static Set<String> list(final String name, final Collection<String> uids) {
            Objects.requireNonNull(uids, name);
            final Set<String> set = new LinkedHashSet<>();
            for (final String uid : uids) {
                final String error = Ids.uidError(uid);
                if (error != null) {
                    throw new IllegalArgumentException(name + ": " + error);
                }
                set.add(uid);
            }
            if (set.isEmpty() || set.size() > MAX_LIST) {
                throw new IllegalArgumentException(name + " must list 1 to " + MAX_LIST + " uids, but listed " + set.size());
            }
            return set;
        }
    }
}
