package org.openrtm.sdk.call;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.concurrent.CompletableFuture;

/**
 * An invitation this client received ({@link CallListener#onRemoteInvitationReceived(RemoteInvitation)}): accept or
 * refuse it. The server ends it if it is not answered within its {@code call.answer-timeout} (60 s by default,
 * {@link CallFailureReason#EXPIRED}), or when the caller cancels it. Thread-safe.
 */
public interface RemoteInvitation {

    /** The states of a remote invitation. */
    enum State {
        /** Received; waiting for this client's answer. */
        RECEIVED,
        /** This client accepted it. Over. */
        ACCEPTED,
        /** This client refused it. Over. */
        REFUSED,
        /** The caller canceled it. Over. */
        CANCELED,
        /** It failed (not answered in time, or this client's session ended); see {@link #failureReason()}. Over. */
        FAILED;

        /** Whether this state ends the invitation. */
        public boolean isOver() {
            return this != RECEIVED;
        }
    }

    /** The invitation id (chosen by the caller; unique per caller). */
    @NotNull String id();

    /** The caller. */
    @NotNull String caller();

    /** The caller's text, or null. */
    @Nullable String content();

    /** The channel the call is about, or null. */
    @Nullable String channel();

    /** The current state. */
    @NotNull State state();

    /** The answer text this client sent, or null. */
    @Nullable String response();

    /** Why it failed, once {@link State#FAILED}; null otherwise. */
    @Nullable CallFailureReason failureReason();

    /**
     * Accepts the invitation.
     *
     * @param response text for the caller, or null
     * @return completes when the server took the answer (the state is then {@link State#ACCEPTED}); fails with
     *         {@link org.openrtm.sdk.ConflictException} if the invitation is over (canceled, expired, answered),
     *         {@link org.openrtm.sdk.PayloadTooLargeException} for a response over the limit, and like any send
     */
    @NotNull CompletableFuture<Void> accept(@Nullable String response);

    /**
     * Refuses the invitation.
     *
     * @param response text for the caller (why), or null
     * @return completes when the server took the answer (the state is then {@link State#REFUSED}); fails like
     *         {@link #accept(String)}
     */
    @NotNull CompletableFuture<Void> refuse(@Nullable String response);
}
