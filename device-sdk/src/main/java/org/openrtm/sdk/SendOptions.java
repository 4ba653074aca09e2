package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.sdk.internal.Arguments;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Options of one peer message. Immutable; build with {@link #builder()}, or use {@link #defaults()}.
 *
 * <pre>{@code
 * SendOptions.builder().offline(false).expiry(Duration.ofMinutes(5)).timeout(Duration.ofSeconds(3)).build()
 * }</pre>
 */
public final class SendOptions {

    /** Longest client message id the server accepts. */
    public static final int MAX_CLIENT_MESSAGE_ID_LENGTH = Arguments.MAX_CLIENT_MESSAGE_ID_LENGTH;
    private static final long MAX_EXPIRY_SECONDS = 0xFFFF_FFFFL;
    private static final SendOptions DEFAULTS = new Builder().build();

    private final boolean offline;
    private final boolean receipt;
    private final boolean history;
    private final Duration expiry;
    private final Duration timeout;
    private final String clientMessageId;
    private final Map<String, String> properties;

    private SendOptions(final Builder b) {
        this.offline = b.offline;
        this.receipt = b.receipt;
        this.history = b.history;
        this.expiry = b.expiry;
        this.timeout = b.timeout;
        this.clientMessageId = b.clientMessageId;
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(b.properties));
    }

    /** The defaults: cached if the peer is offline, recorded in history, no expiry, the client's send timeout. */
    public static @NotNull SendOptions defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static @NotNull Builder builder() {
        return new Builder();
    }

    /** Whether the server may keep the message in the peer's offline cache ({@code rtm-offline}); default true. */
    public boolean offline() {
        return offline;
    }

    /**
     * Whether a receipt is asked for ({@code rtm-receipt: true}): {@link SendResult#receipt()} completes when the peer's
     * client acknowledges the message. Default false: the server sends no receipt.
     */
    public boolean receipt() {
        return receipt;
    }

    /** Whether the server may record the message in history ({@code rtm-history}); default true. */
    public boolean history() {
        return history;
    }

    /** How long the message may wait in the offline cache (MQTT Message Expiry Interval), or null for the server's limit. */
    public @Nullable Duration expiry() {
        return expiry;
    }

    /** The timeout of this send, or null for the client's {@code sendTimeout}. */
    public @Nullable Duration timeout() {
        return timeout;
    }

    /** The client message id ({@code rtm-cid}) to use, or null to let the SDK assign a unique one. */
    public @Nullable String clientMessageId() {
        return clientMessageId;
    }

    /** Application user properties sent along with the message (unmodifiable). */
    public @NotNull Map<String, String> properties() {
        return properties;
    }

    @Override
    public String toString() {
        return "SendOptions{offline=" + offline + ", receipt=" + receipt + ", history=" + history + ", expiry=" + expiry
                + ", timeout=" + timeout
                + (clientMessageId != null ? ", rtm-cid=" + clientMessageId : "") + ", properties=" + properties.keySet() + '}';
    }

    /** Builds {@link SendOptions}. Not thread-safe. Every setter validates its argument at once. */
    public static final class Builder {
        private boolean offline = true;
        private boolean receipt;
        private boolean history = true;
        private Duration expiry;
        private Duration timeout;
        private String clientMessageId;
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Whether the server may cache the message for an offline peer (default true). With false, a message to an
         * offline peer is {@link DeliveryStatus#UNREACHABLE}.
         *
         * @return this
         */
        public @NotNull Builder offline(final boolean offline) {
            this.offline = offline;
            return this;
        }

        /**
         * Whether to ask for a receipt (default false). A receipt is a second message from the server, so it is sent
         * only when asked for: with true, {@link SendResult#receipt()} completes when the peer's client acknowledges
         * the message (and {@link org.openrtm.sdk.PeerListener#onReceipt} sees it); with false it fails at once.
         *
         * @return this
         */
        public @NotNull Builder receipt(final boolean receipt) {
            this.receipt = receipt;
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
         * How long the message may wait in the peer's offline cache, rounded up to whole seconds; zero means "only if
         * the peer is online now". Null (the default) leaves it to the server's {@code offline.ttl}.
         *
         * @return this
         * @throws IllegalArgumentException if negative or longer than 2^32-1 seconds
         */
        public @NotNull Builder expiry(final @Nullable Duration expiry) {
            if (expiry != null && (expiry.isNegative() || seconds(expiry) > MAX_EXPIRY_SECONDS)) {
                throw new IllegalArgumentException("expiry must be between 0 and " + MAX_EXPIRY_SECONDS
                        + " seconds, but was " + expiry);
            }
            this.expiry = expiry;
            return this;
        }

        /**
         * The timeout of this send (from the call until the server's answer), or null (the default) for the
         * client's {@code sendTimeout}.
         *
         * @return this
         * @throws IllegalArgumentException if zero or negative
         */
        public @NotNull Builder timeout(final @Nullable Duration timeout) {
            this.timeout = Arguments.positiveOrNull("timeout", timeout);
            return this;
        }

        /**
         * Sets the message's client id ({@code rtm-cid}) instead of the one the SDK would assign. The server treats
         * a repeat of the same id from the same sender within its de-duplication window (10 minutes by default)
         * as the same message, so an application can make its own retries (even across restarts) safe.
         *
         * @return this
         * @throws IllegalArgumentException if not 1 to 128 characters
         */
        public @NotNull Builder clientMessageId(final @Nullable String clientMessageId) {
            this.clientMessageId = Arguments.clientMessageId(clientMessageId);
            return this;
        }

        /**
         * Adds an application user property, passed to the recipient unchanged ({@link PeerMessage#properties()}).
         *
         * @return this
         * @throws IllegalArgumentException if the name is empty or starts with {@code rtm-} (the protocol's own)
         */
        public @NotNull Builder property(final @NotNull String name, final @NotNull String value) {
            Arguments.userProperty(name, value);
            properties.put(name, value);
            return this;
        }

        /** The options. */
        public @NotNull SendOptions build() {
            return new SendOptions(this);
        }

        private static long seconds(final Duration d) {
            return d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
        }
    }
}
