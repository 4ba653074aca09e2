package org.openrtm.sdk.call;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/**
 * Told what happens to this client's invitations, sent ({@link LocalInvitation}) and received
 * ({@link RemoteInvitation}). Every method has an empty default: implement what you need. Runs on the client's
 * callback executor, one call at a time, in the order things happened.
 */
public interface CallListener {

    /**
     * The callee's client has the invitation; the callee can now accept or refuse.
     *
     * @param invitation the invitation
     */
    default void onLocalInvitationReceivedByPeer(@NotNull LocalInvitation invitation) {
    }

    /**
     * The callee accepted.
     *
     * @param invitation the invitation
     * @param response   the callee's text, or null
     */
    default void onLocalInvitationAccepted(@NotNull LocalInvitation invitation, @Nullable String response) {
    }

    /**
     * The callee refused.
     *
     * @param invitation the invitation
     * @param response   the callee's text, or null
     */
    default void onLocalInvitationRefused(@NotNull LocalInvitation invitation, @Nullable String response) {
    }

    /**
     * The invitation was canceled (by {@link LocalInvitation#cancel()}).
     *
     * @param invitation the invitation
     */
    default void onLocalInvitationCanceled(@NotNull LocalInvitation invitation) {
    }

    /**
     * The invitation failed.
     *
     * @param invitation the invitation
     * @param reason     why
     */
    default void onLocalInvitationFailed(@NotNull LocalInvitation invitation, @NotNull CallFailureReason reason) {
    }

    /**
     * Someone invites this user. Answer with {@link RemoteInvitation#accept(String)} or
     * {@link RemoteInvitation#refuse(String)} (here or later, within the server's answer timeout). The caller learns
     * that this client has the invitation once this method returned.
     *
     * @param invitation the invitation
     */
    default void onRemoteInvitationReceived(@NotNull RemoteInvitation invitation) {
    }

    /**
     * This client's acceptance was taken by the server.
     *
     * @param invitation the invitation
     */
    default void onRemoteInvitationAccepted(@NotNull RemoteInvitation invitation) {
    }

    /**
     * This client's refusal was taken by the server.
     *
     * @param invitation the invitation
     */
    default void onRemoteInvitationRefused(@NotNull RemoteInvitation invitation) {
    }

    /**
     * The caller canceled the invitation.
     *
     * @param invitation the invitation
     */
    default void onRemoteInvitationCanceled(@NotNull RemoteInvitation invitation) {
    }

    /**
     * The invitation failed (not answered within the server's answer timeout, or this client's session ended).
     *
     * @param invitation the invitation
     * @param reason     why
     */
    default void onRemoteInvitationFailed(@NotNull RemoteInvitation invitation, @NotNull CallFailureReason reason) {
    }
}
