/**
 * Channels: join and leave, send to every member or to a whitelist or blacklist of members, receive channel messages,
 * member joined/left events and member counts, list members and channels. Reached through
 * {@link org.openrtm.sdk.RtmClient#channels()}.
 */
package org.openrtm.sdk.channel;
