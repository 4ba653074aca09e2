package org.openrtm.extension.delivery;

/** The per-user mailboxes whose messages the extension stores until the user's client acknowledges them. */
public enum Box {
    /** Peer messages: {@code rtm/user/{uid}/inbox/{from}}. */
    INBOX((byte) 1),
    /** Events: {@code rtm/user/{uid}/event} (receipts, call states). */
    EVENT((byte) 2);

    private final byte code;

    Box(final byte code) {
        this.code = code;
    }

    byte code() {
        return code;
    }

    static Box of(final byte code) {
        for (final Box b : values()) {
            if (b.code == code) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown mailbox code " + code);
    }
}
