package org.openrtm.sdk.call;

import org.jetbrains.annotations.NotNull;

/**
 * Call invitations: {@link org.openrtm.sdk.RtmClient#calls()}. The server runs each call's state machine and its
 * timers; the SDK follows it and tells the {@link CallListener}s. Every logged-in client can receive invitations (it
 * subscribes to its call topic at login). Thread-safe.
 *
 * <p><b>Reconnects.</b> Invitations and answers go through the outbox like messages. One whose connection dropped
 * before the server's answer is sent again; if the server then says the action conflicts with the call's state, the
 * first attempt went through, and the SDK takes it as done. The call's state events wait in the server's event mailbox
 * while the client is away, so an invitation's outcome is told after a reconnect too.
 */
public interface Calls {

    /**
     * Invites a user, with no content and the default timeout.
     *
     * @param callee the user to call
     * @return the invitation, already being sent
     * @throws IllegalArgumentException if the uid is invalid
     */
    @NotNull LocalInvitation invite(@NotNull String callee);

    /**
     * Invites a user.
     *
     * @param callee  the user to call
     * @param options content, channel, id, timeout
     * @return the invitation, already being sent; follow it with {@link LocalInvitation#sent()},
     *         {@link LocalInvitation#outcome()} and the {@link CallListener}s. If the client is not logged in, it is
     *         {@link LocalInvitation.State#FAILED} at once ({@link CallFailureReason#NOT_SENT}, and {@code sent()} fails
     *         with {@link org.openrtm.sdk.NotLoggedInException})
     * @throws IllegalArgumentException if the uid is invalid
     */
    @NotNull LocalInvitation invite(@NotNull String callee, @NotNull InvitationOptions options);

    /**
     * Adds a listener. Add it on the builder ({@code RtmClientBuilder.callListener}) to be sure to see invitations that
     * wait for this user at login.
     *
     * @param listener the listener
     */
    void addListener(@NotNull CallListener listener);

    /**
     * Removes a listener; does nothing if it is not there.
     *
     * @param listener the listener
     */
    void removeListener(@NotNull CallListener listener);
}
