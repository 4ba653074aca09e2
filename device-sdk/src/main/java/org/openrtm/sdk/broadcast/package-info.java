/**
 * Broadcasts: messages from a service to every user that listens. Reached through
 * {@link org.openrtm.sdk.RtmClient#broadcasts()}.
 */
package org.openrtm.sdk.broadcast;
