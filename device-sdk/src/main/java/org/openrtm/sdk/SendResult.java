package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The outcome of a peer message the server accepted. Immutable (the receipt future completes later).
 */
public final class SendResult {

    private final DeliveryStatus status;
    private final String messageId;
    private final String clientMessageId;
    private final CompletableFuture<Receipt> receipt;

    /**
     * @param status          what the server did
     * @param messageId       the server's id for the message ({@code rtm-id})
     * @param clientMessageId the client's id for the message ({@code rtm-cid})
     * @param receipt         completes with the message's receipt
     */
    public SendResult(final @NotNull DeliveryStatus status, final @NotNull String messageId,
                      final @NotNull String clientMessageId, final @NotNull CompletableFuture<Receipt> receipt) {
        this.status = Objects.requireNonNull(status, "status");
        this.messageId = Objects.requireNonNull(messageId, "messageId");
        this.clientMessageId = Objects.requireNonNull(clientMessageId, "clientMessageId");
        this.receipt = Objects.requireNonNull(receipt, "receipt");
    }

    /** What the server did with the message. */
    public @NotNull DeliveryStatus status() {
        return status;
    }

    /** The server's id of the message ({@code rtm-id}): the recipient sees it, and receipts name it. */
    public @NotNull String messageId() {
        return messageId;
    }

    /** The id this client gave the message ({@code rtm-cid}); every retry of the send carried it. */
    public @NotNull String clientMessageId() {
        return clientMessageId;
    }

    /**
     * Completes with the message's {@link Receipt} when the recipient's client acknowledges it (also told to every
     * {@link PeerListener#onReceipt(Receipt)}). It fails with {@link RtmTimeoutException} if the message is
     * {@link DeliveryStatus#UNREACHABLE} (no receipt will come), with {@link NotLoggedInException} at logout, and
     * with {@link RtmTimeoutException} when the client stops tracking it because more than the builder's
     * {@code receiptTracking} receipts are outstanding. Completes on the callback executor.
     */
    public @NotNull CompletableFuture<Receipt> receipt() {
        return receipt;
    }

    @Override
    public String toString() {
        return "SendResult{" + status + ", rtm-id " + messageId + ", rtm-cid " + clientMessageId + '}';
    }
}
