package org.openrtm.protocol;

import org.jetbrains.annotations.NotNull;

/**
 * The kinds of topic in the {@code rtm/} tree. Each family has a fixed shape of levels; {@code {id}} is a uid
 * or a cid, {@code {sub}} is the second variable level (a sender, a member, a key or an RPC method).
 */
public enum TopicFamily {
    /** {@code rtm/user/{uid}/inbox/{from}}: a peer message from {@code from} to {@code uid}. */
    INBOX(Scope.USER, "inbox", true),
    /** {@code rtm/user/{uid}/call/{from}}: call signalling from {@code from} to {@code uid}. */
    CALL(Scope.USER, "call", true),
    /** {@code rtm/user/{uid}/event}: receipts, call states and RPC replies for {@code uid}. */
    EVENT(Scope.USER, "event", false),
    /** {@code rtm/user/{uid}/presence}: retained online status. */
    PRESENCE(Scope.USER, "presence", false),
    /** {@code rtm/user/{uid}/attr/{key}}: retained user attribute. */
    USER_ATTR(Scope.USER, "attr", true),
    /** {@code rtm/channel/{cid}/msg/{from}}: channel message. */
    CHANNEL_MSG(Scope.CHANNEL, "msg", true),
    /** {@code rtm/channel/{cid}/member/{uid}}: retained member marker. */
    CHANNEL_MEMBER(Scope.CHANNEL, "member", true),
    /** {@code rtm/channel/{cid}/count}: retained member count. */
    CHANNEL_COUNT(Scope.CHANNEL, "count", false),
    /** {@code rtm/channel/{cid}/attr/{key}}: retained channel attribute. */
    CHANNEL_ATTR(Scope.CHANNEL, "attr", true),
    /** {@code rtm/all/{from}}: broadcast. Here {@code id} is the sender and there is no {@code sub}. */
    BROADCAST(Scope.ALL, null, false),
    /** {@code rtm/rpc/{method}}: a request to the extension. Here {@code id} is the method. */
    RPC(Scope.RPC, null, false);

    /** The second level of the topic. */
    public enum Scope {
        USER("user"), CHANNEL("channel"), ALL("all"), RPC("rpc");

        private final String level;

        Scope(final String level) {
            this.level = level;
        }

        /** The literal topic level, e.g. {@code "user"}. */
        public @NotNull String level() {
            return level;
        }
    }

    private final Scope scope;
    private final String kindLevel;
    private final boolean hasSub;

    TopicFamily(final Scope scope, final String kindLevel, final boolean hasSub) {
        this.scope = scope;
        this.kindLevel = kindLevel;
        this.hasSub = hasSub;
    }

    /** The scope (second level) of this family. */
    public @NotNull Scope scope() {
        return scope;
    }

    /** The literal fourth level ({@code inbox}, {@code msg}, ...), or {@code null} for {@link #BROADCAST} and {@link #RPC}. */
    public String kindLevel() {
        return kindLevel;
    }

    /** Whether the family has a fifth, variable level. */
    public boolean hasSub() {
        return hasSub;
    }

    /** Number of topic levels of a topic of this family. */
    public int levels() {
        if (kindLevel == null) {
            return 3;
        }
        return hasSub ? 5 : 4;
    }

    /** Whether only the extension may publish to topics of this family. */
    public boolean isExtensionOnly() {
        return this == EVENT || this == PRESENCE || this == CHANNEL_MEMBER || this == CHANNEL_COUNT;
    }

    /** Whether messages of this family are private to the user named in the topic. */
    public boolean isPrivate() {
        return this == INBOX || this == CALL || this == EVENT;
    }
}
