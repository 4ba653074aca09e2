/**
 * History: the recorded peer and channel messages, queried by conversation, time range and order, in pages. Reached
 * through {@link org.openrtm.sdk.RtmClient#history()}.
 */
package org.openrtm.sdk.history;
