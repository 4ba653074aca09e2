/**
 * Call invitations: invite a user (a {@link org.openrtm.sdk.call.LocalInvitation}), follow it until it is accepted,
 * refused, canceled or failed; receive invitations ({@link org.openrtm.sdk.call.RemoteInvitation}) and accept or
 * refuse them. Reached through {@link org.openrtm.sdk.RtmClient#calls()}.
 */
package org.openrtm.sdk.call;
