/**
 * Attributes: key-value state of a user (a device's firmware, battery, a light's state) or of a channel (a classroom's
 * pinned announcement), with per-key revisions and compare-and-set. Read, write, delete, and watch them. Reached
 * through {@link org.openrtm.sdk.RtmClient#attributes()}.
 */
package org.openrtm.sdk.attribute;
