package org.openrtm.sdk.call;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.sdk.DeliveryStatus;

import java.util.concurrent.CompletableFuture;

/**
 * An invitation this client sent ({@link Calls#invite(String, InvitationOptions)}): its state until it is over, and
 * the operations on it. Thread-safe; its state changes on the client's engine and is told to the
 * {@link CallListener}s, and through {@link #outcome()}, on the callback executor.
 *
 * <pre>
 * SENDING ─┬─&gt; WAITING (callee offline) ─┐
 *          └─&gt; SENT ───────────────────┴─&gt; RECEIVED ─&gt; ACCEPTED | REFUSED
 * any state before an answer ─&gt; CANCELED | FAILED
 * </pre>
 */
public interface LocalInvitation {

    /** The states of a local invitation. */
    enum State {
        /** Accepted by the client, not yet answered by the server. */
        SENDING,
        /** The server has it and waits for the callee to come online (the send said {@code CACHED}). */
        WAITING,
        /** The server handed it to the callee's client (the send said {@code DELIVERED}). */
        SENT,
        /** The callee's client has it: the callee can now accept or refuse. */
        RECEIVED,
        /** The callee accepted; {@link #response()} holds its answer text, if any. Over. */
        ACCEPTED,
        /** The callee refused; {@link #response()} holds its answer text, if any. Over. */
        REFUSED,
        /** This client canceled it. Over. */
        CANCELED,
        /** It failed; {@link #failureReason()} says why. Over. */
        FAILED;

        /** Whether this state ends the invitation. */
        public boolean isOver() {
            return this == ACCEPTED || this == REFUSED || this == CANCELED || this == FAILED;
        }
    }

    /** The invitation id (chosen by this client). */
    @NotNull String id();

    /** The callee. */
    @NotNull String callee();

    /** The text sent to the callee, or null. */
    @Nullable String content();

    /** The channel the call is about, or null. */
    @Nullable String channel();

    /** The current state. */
    @NotNull State state();

    /** The callee's answer text once {@link State#ACCEPTED} or {@link State#REFUSED}; null otherwise or if none. */
    @Nullable String response();

    /** Why it failed, once {@link State#FAILED}; null otherwise. */
    @Nullable CallFailureReason failureReason();

    /**
     * The server's answer to the invitation itself.
     *
     * @return completes with {@link DeliveryStatus#DELIVERED} (handed to the callee) or {@link DeliveryStatus#CACHED}
     *         (the callee is offline; the server waits for it); fails with the refusal
     *         ({@link org.openrtm.sdk.PayloadTooLargeException} for content over the limit,
     *         {@link org.openrtm.sdk.InvalidRequestException} when calling oneself, {@link org.openrtm.sdk.ConflictException}
     *         for an id still in use, ...), then the invitation is {@link State#FAILED} with {@link CallFailureReason#NOT_SENT}
     */
    @NotNull CompletableFuture<DeliveryStatus> sent();

    /**
     * The end of the invitation.
     *
     * @return completes (never exceptionally) with the final state: {@link State#ACCEPTED}, {@link State#REFUSED},
     *         {@link State#CANCELED} or {@link State#FAILED}
     */
    @NotNull CompletableFuture<State> outcome();

    /**
     * Cancels the invitation (the callee, if it has it, is told).
     *
     * @return completes when the server canceled it (the state is then {@link State#CANCELED}); fails with
     *         {@link org.openrtm.sdk.ConflictException} if it is already over (answered, failed) and like any send
     */
    @NotNull CompletableFuture<Void> cancel();
}
