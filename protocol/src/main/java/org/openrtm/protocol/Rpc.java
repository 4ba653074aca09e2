package org.openrtm.protocol;

/**
 * Names of the RPC methods (published to {@code rtm/rpc/{method}}), the fields of requests and replies, and the
 * stable error codes of {@code {"ok":false,"error":{"code":...}}} replies.
 */
public final class Rpc {

    public static final String SERVER_INFO = "server.info";
    public static final String PRESENCE_QUERY = "presence.query";
    public static final String CHANNEL_MEMBERS = "channel.members";
    public static final String CHANNEL_COUNT = "channel.count";
    public static final String CHANNEL_JOINED = "channel.joined";
    public static final String ATTR_GET = "attr.get";
    public static final String ATTR_SET = "attr.set";
    public static final String ATTR_DELETE = "attr.delete";
    public static final String HISTORY_QUERY = "history.query";

    /** Reply field: whether the request succeeded. */
    public static final String FIELD_OK = "ok";
    /** Reply field: the result of a successful request. */
    public static final String FIELD_RESULT = "result";
    /** Reply field: the error object of a failed request, with {@code code} and {@code message}. */
    public static final String FIELD_ERROR = "error";
    /** Request and reply field for MQTT 3.1.1 clients, which have no Correlation Data: the request id. */
    public static final String FIELD_RID = "rid";
    /** Reply field on the event topic: {@code "rpc"} marks an RPC reply. */
    public static final String FIELD_TYPE = "type";
    /** Reply field on the event topic: the method that was called. */
    public static final String FIELD_METHOD = "method";

    /** The request was malformed: bad JSON, a missing or wrong field, a list too long. */
    public static final String ERR_INVALID = "invalid";
    /** The caller may not do this. */
    public static final String ERR_FORBIDDEN = "forbidden";
    /** No such method. */
    public static final String ERR_UNKNOWN_METHOD = "unknown_method";
    /** The thing asked for does not exist. */
    public static final String ERR_NOT_FOUND = "not_found";
    /** A compare-and-set did not match. */
    public static final String ERR_CONFLICT = "conflict";
    /** A value or request is over a size limit. */
    public static final String ERR_TOO_LARGE = "too_large";
    /** The caller is over its rate. */
    public static final String ERR_RATE_LIMITED = "rate_limited";
    /** The server failed; the message says what it could. */
    public static final String ERR_INTERNAL = "internal";

    private Rpc() {
    }
}
