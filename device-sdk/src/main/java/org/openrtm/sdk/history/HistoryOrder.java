package org.openrtm.sdk.history;

import org.jetbrains.annotations.NotNull;

/** The order of a history query's messages (by server time, then message id). */
public enum HistoryOrder {
    /** Newest first, the default: a chat opens on its latest messages and pages back. */
    NEWEST_FIRST("desc"),
    /** Oldest first: replaying a conversation or a drawing as it happened. */
    OLDEST_FIRST("asc");

    private final String wire;

    HistoryOrder(final String wire) {
        this.wire = wire;
    }

    /** The protocol's name: {@code desc} or {@code asc}. */
    public @NotNull String wireName() {
        return wire;
    }
}
