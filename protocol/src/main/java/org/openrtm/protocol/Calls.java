package org.openrtm.protocol;

/**
 * Names of the call-invitation protocol: the JSON fields and actions published on {@code rtm/user/{uid}/call/{from}},
 * and the states and failure reasons of the {@code {"type":"call",...}} events on {@code rtm/user/{uid}/event}.
 */
public final class Calls {

    /** Field: the invitation id, chosen by the caller (1 to 64 characters of the id alphabet). */
    public static final String ID = "id";
    /** Field: what the publisher does. */
    public static final String ACTION = "action";
    /** Field of an invite: free text for the callee (at most {@link Limits#MAX_CALL_CONTENT_BYTES} bytes). */
    public static final String CONTENT = "content";
    /** Field of an invite: the channel the call is about (free text, at most 64 characters). */
    public static final String CHANNEL = "channel";
    /** Field of an accept or refuse: free text for the caller (at most {@link Limits#MAX_CALL_CONTENT_BYTES} bytes). */
    public static final String RESPONSE = "response";

    /** Action of the caller: start a call. */
    public static final String INVITE = "invite";
    /** Action of the caller: withdraw the invitation before it is answered. */
    public static final String CANCEL = "cancel";
    /** Action of the callee: take the call. */
    public static final String ACCEPT = "accept";
    /** Action of the callee: decline the call. */
    public static final String REFUSE = "refuse";

    /** Event field: the caller's uid. */
    public static final String CALLER = "caller";
    /** Event field: the callee's uid. */
    public static final String CALLEE = "callee";
    /** Event field: the new state. */
    public static final String STATE = "state";
    /** Event field: why a call failed. */
    public static final String REASON = "reason";

    /** State: the callee's client has the invitation (it acknowledged it). */
    public static final String RECEIVED = "received";
    /** State: the callee accepted. */
    public static final String ACCEPTED = "accepted";
    /** State: the callee refused. */
    public static final String REFUSED = "refused";
    /** State: the caller canceled before an answer. */
    public static final String CANCELED = "canceled";
    /** State: the call ended without an answer; see {@link #REASON}. */
    public static final String FAILED = "failed";

    /** Reason: the callee was not online (and subscribed to its call topic) within the offline timeout. */
    public static final String PEER_OFFLINE = "peer_offline";
    /** Reason: the callee's client did not acknowledge the invitation within the acknowledgement timeout. */
    public static final String NO_RESPONSE = "no_response";
    /** Reason: the callee neither accepted nor refused within the answer timeout. */
    public static final String EXPIRED = "expired";

    private Calls() {
    }
}
