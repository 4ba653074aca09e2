package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.time.Instant;
import java.util.Objects;

/**
 * An end-to-end receipt: the recipient's client acknowledged a peer message this client sent. Receipts for
 * messages that waited in the offline cache come when they are finally delivered, even if this client was offline
 * meanwhile. Immutable.
 */
public final class Receipt {

    private final String messageId;
    private final String to;
    private final String status;
    private final Instant time;

    /**
     * @param messageId the {@code rtm-id} of the message, as in {@link SendResult#messageId()}
     * @param to        the recipient
     * @param status    the receipt status ({@code received})
     * @param time      when the server issued the receipt, or null if it did not say
     */
    public Receipt(final @NotNull String messageId, final @NotNull String to, final @NotNull String status,
                   final @Nullable Instant time) {
        this.messageId = Objects.requireNonNull(messageId, "messageId");
        this.to = Objects.requireNonNull(to, "to");
        this.status = Objects.requireNonNull(status, "status");
        this.time = time;
    }

    /** The {@code rtm-id} of the message this receipt is for. */
    public @NotNull String messageId() {
        return messageId;
    }

    /** The recipient whose client acknowledged the message. */
    public @NotNull String to() {
        return to;
    }

    /** The receipt status; {@code "received"} today. */
    public @NotNull String status() {
        return status;
    }

    /** When the server issued the receipt, or null. */
    public @Nullable Instant time() {
        return time;
    }

    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Receipt)) {
            return false;
        }
        final Receipt r = (Receipt) o;
        return messageId.equals(r.messageId) && to.equals(r.to) && status.equals(r.status) && Objects.equals(time, r.time);
    }

    @Override
    public int hashCode() {
        return Objects.hash(messageId, to, status, time);
    }

    @Override
    public String toString() {
        return "Receipt{" + messageId + " to " + to + " " + status + '}';
    }
}
