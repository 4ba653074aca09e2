package org.openrtm.sdk.call;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Ids;
import org.openrtm.sdk.internal.Arguments;

import java.time.Duration;

/**
 * Options of one invitation: text for the callee, the channel the call is about, the invitation's id and its timeout.
 * Immutable; build with {@link #builder()} or use {@link #defaults()}.
 */
public final class InvitationOptions {

    /**
     * The default {@link #timeout()}: the server's own timers (30 s offline, 30 s acknowledgement, 60 s answer) and
     * ten seconds more.
     */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(130);
    /** Longest {@link #channel()}, in characters. */
    public static final int MAX_CHANNEL_LENGTH = 64;
    private static final InvitationOptions DEFAULTS = new Builder().build();

    private final String content;
    private final String channel;
    private final String id;
    private final Duration timeout;

    private InvitationOptions(final Builder b) {
        this.content = b.content;
        this.channel = b.channel;
        this.id = b.id;
        this.timeout = b.timeout;
    }

    /** No content, no channel, an id chosen by the SDK, {@link #DEFAULT_TIMEOUT}. */
    public static @NotNull InvitationOptions defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static @NotNull Builder builder() {
        return new Builder();
    }

    /** Text for the callee (what the call is about), or null. */
    public @Nullable String content() {
        return content;
    }

    /** The channel the call is about, or null. */
    public @Nullable String channel() {
        return channel;
    }

    /** The invitation id to use, or null to let the SDK choose a fresh one. */
    public @Nullable String id() {
        return id;
    }

    /** How long the SDK waits for the server to tell the outcome before it gives up ({@link CallFailureReason#TIMEOUT}). */
    public @NotNull Duration timeout() {
        return timeout;
    }

    @Override
    public String toString() {
        return "InvitationOptions{" + (content != null ? content.length() + " characters of content, " : "")
                + (channel != null ? "channel " + channel + ", " : "") + (id != null ? "id " + id + ", " : "")
                + "timeout " + timeout + '}';
    }

    /** Builds {@link InvitationOptions}. Not thread-safe. Every setter validates its argument at once. */
    public static final class Builder {
        private String content;
        private String channel;
        private String id;
        private Duration timeout = DEFAULT_TIMEOUT;

        private Builder() {
        }

        /**
         * Text for the callee, such as what the call is about (at most the server's {@code call.max-content-bytes},
         * 8192 bytes of UTF-8 by default; more fails the invitation with {@link org.openrtm.sdk.PayloadTooLargeException}).
         *
         * @param content the text, or null
         * @return this
         */
        public @NotNull Builder content(final @Nullable String content) {
            this.content = content;
            return this;
        }

        /**
         * The channel the call is about (free text for the callee, at most {@value InvitationOptions#MAX_CHANNEL_LENGTH}
         * characters).
         *
         * @param channel the channel, or null
         * @return this
         * @throws IllegalArgumentException if longer than {@value InvitationOptions#MAX_CHANNEL_LENGTH} characters
         */
        public @NotNull Builder channel(final @Nullable String channel) {
            if (channel != null && channel.length() > MAX_CHANNEL_LENGTH) {
                throw new IllegalArgumentException("channel must be at most " + MAX_CHANNEL_LENGTH
                        + " characters, but was " + channel.length() + " characters");
            }
            this.channel = channel;
            return this;
        }

        /**
         * The invitation's id, instead of a fresh one. Unique among this user's open invitations; free again once an
         * invitation is over.
         *
         * @param id 1 to 64 characters of {@code A-Z a-z 0-9 _ - . @ : ~}, or null
         * @return this
         * @throws IllegalArgumentException if invalid
         */
        public @NotNull Builder id(final @Nullable String id) {
            if (id != null && !Ids.isValidCid(id)) {
                throw new IllegalArgumentException("id must be 1 to " + Ids.MAX_ID_LENGTH + " characters of "
                        + Ids.ALPHABET + ", but was " + Ids.show(id));
            }
            this.id = id;
            return this;
        }

        /**
         * How long the SDK waits for the outcome before it fails the invitation with
         * {@link CallFailureReason#TIMEOUT} and cancels it (default {@link InvitationOptions#DEFAULT_TIMEOUT}). The
         * server's timers normally end a call first.
         *
         * @return this
         * @throws IllegalArgumentException if not positive
         */
        public @NotNull Builder timeout(final @NotNull Duration timeout) {
            this.timeout = Arguments.positive("timeout", timeout);
            return this;
        }

        /** The options. */
        public @NotNull InvitationOptions build() {
            return new InvitationOptions(this);
        }
    }
}
