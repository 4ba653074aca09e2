package org.openrtm.protocol;

/**
 * Names of the MQTT 5 user properties of the protocol, and their well-known values.
 */
public final class Props {

    /** What every one of the protocol's own property names starts with; application properties must not. */
    public static final String PREFIX = "rtm-";

    /** Whether {@code name} is one of the protocol's own property names (starts with {@value #PREFIX}). */
    public static boolean isProtocols(final String name) {
        return name.startsWith(PREFIX);
    }

    /** Message id assigned by the extension; on delivered messages and on successful PUBACKs. */
    public static final String ID = "rtm-id";
    /** Server receive time in ms since the epoch; on delivered messages and attribute writes. */
    public static final String TS = "rtm-ts";
    /** {@code true} on a peer message delivered from the offline cache; {@code false} from a sender: do not cache. */
    public static final String OFFLINE = "rtm-offline";
    /** The sender's own id for a message, for de-duplication of retries. */
    public static final String CID = "rtm-cid";
    /**
     * {@code true} from a sender of a peer message: send me a receipt when the recipient's client acknowledges it.
     * Without it, no receipt.
     */
    public static final String RECEIPT = "rtm-receipt";
    /** {@code false} from a sender: do not record the message in history. */
    public static final String HISTORY = "rtm-history";
    /** Comma-separated uids: deliver a channel message only to these members. */
    public static final String ONLY = "rtm-only";
    /** Comma-separated uids: deliver a channel message to every member but these. */
    public static final String EXCEPT = "rtm-except";
    /** The stable outcome code on a PUBACK; see {@link RtmStatus}. */
    public static final String STATUS = "rtm-status";
    /** On the PUBACK of a channel message or broadcast: how many recipients it was addressed to. */
    public static final String RECIPIENTS = "rtm-recipients";
    /** On an attribute: the uid that wrote it. */
    public static final String BY = "rtm-by";
    /** On an attribute: its revision, starting at 1 and increasing by one per write. */
    public static final String REV = "rtm-rev";
    /** On an attribute write: write only if the current revision is this (0: only if the key does not exist). */
    public static final String IF_REV = "rtm-if-rev";
    /**
     * On a successful CONNACK: the publishes per second the connection may send (the server's {@code rate_limited}
     * token bucket refills at this rate); a client paces itself under it.
     */
    public static final String RATE = "rtm-rate";
    /** On a successful CONNACK: the burst of that token bucket (it starts full). */
    public static final String RATE_BURST = "rtm-rate-burst";
    /** In a CONNECT: how the user is attached ({@code mqtt} or {@code coap}); set by the CoAP gateway. */
    public static final String VIA = "rtm-via";
    /** In a CONNECT with {@code rtm-via: coap}: the gateway's proof that it sent it (see {@link ViaProof}). */
    public static final String VIA_PROOF = "rtm-via-proof";

    /** The literal {@code true}. */
    public static final String TRUE = "true";
    /** The literal {@code false}. */
    public static final String FALSE = "false";

    private Props() {
    }
}
