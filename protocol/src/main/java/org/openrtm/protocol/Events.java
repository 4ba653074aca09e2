package org.openrtm.protocol;

/** JSON field names and type values of messages on {@code rtm/user/{uid}/event}. */
public final class Events {

    /** Field: the kind of event. */
    public static final String TYPE = "type";
    /** {@code type} of a delivery receipt: {@code {"type":"receipt","id":...,"to":...,"status":"received"}}. */
    public static final String TYPE_RECEIPT = "receipt";
    /** {@code type} of a call-invitation state change; the other fields are named in {@link Calls}. */
    public static final String TYPE_CALL = "call";
    /** {@code type} of an RPC reply for MQTT 3.1.1 clients. */
    public static final String TYPE_RPC = "rpc";
    /** {@code type} of a notice from the server (for example a kick or a dropped cached message). */
    public static final String TYPE_NOTICE = "notice";

    /** Receipt field: the {@value Props#ID} of the message. */
    public static final String ID = "id";
    /** Receipt field: the recipient. */
    public static final String TO = "to";
    /** Receipt field: the receipt status. */
    public static final String STATUS = "status";
    /** Receipt status: the recipient's client acknowledged the message. */
    public static final String STATUS_RECEIVED = "received";

    private Events() {
    }
}
