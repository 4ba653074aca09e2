/**
 * Presence: whether users are online, as a one-off query or as a subscription with a listener for changes.
 * Reached through {@link org.openrtm.sdk.RtmClient#presence()}.
 */
package org.openrtm.sdk.presence;
