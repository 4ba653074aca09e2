package org.openrtm.extension.attribute;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.RtmTopics;

/** Whose attributes: a user's ({@code rtm/user/{uid}/attr/{key}}) or a channel's ({@code rtm/channel/{cid}/attr/{key}}). */
public enum AttrScope {
    USER('u', "user"),
    CHANNEL('c', "channel");

    private final char code;
    private final String wire;

    AttrScope(final char code, final String wire) {
        this.code = code;
        this.wire = wire;
    }

    /** The word used in RPC requests: {@code user} or {@code channel}. */
    public @NotNull String wire() {
        return wire;
    }

    char code() {
        return code;
    }

    /** The scope named by an RPC request, or {@code null}. */
    public static @Nullable AttrScope of(final @Nullable String wire) {
        for (final AttrScope s : values()) {
            if (s.wire.equals(wire)) {
                return s;
            }
        }
        return null;
    }

    /** Why {@code id} is not a valid owner id of this scope, or {@code null}. */
    @Nullable String idError(final @Nullable String id) {
        return this == USER ? Ids.uidError(id) : Ids.cidError(id);
    }

    /** The attribute's topic. */
    @NotNull String topic(final @NotNull String id, final @NotNull String key) {
        return this == USER ? RtmTopics.userAttr(id, key) : RtmTopics.channelAttr(id, key);
    }
}
