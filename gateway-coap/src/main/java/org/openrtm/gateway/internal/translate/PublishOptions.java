package org.openrtm.gateway.internal.translate;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Props;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The URI query of a CoAP request, translated: the session id ({@code s}) and the message properties a sender may
 * set, as MQTT 5 user properties and a Message Expiry Interval. Immutable.
 *
 * <table>
 *   <caption>query parameters</caption>
 *   <tr><td>{@code s}</td><td>the session id from the login</td></tr>
 *   <tr><td>{@code cid}</td><td>{@code rtm-cid}: the device's own id for the message (de-duplication of retries)</td></tr>
 *   <tr><td>{@code offline}</td><td>{@code rtm-offline}: {@code false} = do not cache for an offline peer</td></tr>
 *   <tr><td>{@code history}</td><td>{@code rtm-history}: {@code false} = do not record</td></tr>
 *   <tr><td>{@code receipt}</td><td>{@code rtm-receipt}: {@code 1} (or {@code true}) = send me a receipt</td></tr>
 *   <tr><td>{@code only}, {@code except}</td><td>{@code rtm-only}, {@code rtm-except}: comma-separated uids</td></tr>
 *   <tr><td>{@code exp}</td><td>Message Expiry Interval in seconds</td></tr>
 *   <tr><td>{@code ifrev}</td><td>{@code rtm-if-rev}: write an attribute only at this revision</td></tr>
 * </table>
 * Every value that becomes a user property must be a string MQTT accepts ({@link MqttStrings}): a control character
 * in it would make the broker close the device's session.
 *
 * @param session the session id, or null
 * @param props   user properties to set, in order
 * @param expiry  the Message Expiry Interval in seconds, or null
 * @param error   why the query is refused (4.00), or null; it names each refused parameter
 */
public record PublishOptions(@Nullable String session, @NotNull Map<String, String> props, @Nullable Long expiry,
                             @Nullable String error) {

    /** The query parameter that carries the session id. */
    public static final String SESSION = "s";

    private static final Map<String, String> PROPERTY_PARAMS = Map.of(
            "cid", Props.CID, "offline", Props.OFFLINE, "history", Props.HISTORY,
            "only", Props.ONLY, "except", Props.EXCEPT, "ifrev", Props.IF_REV);

    /**
     * Parses the query parameters of a request.
     *
     * @param query        the URI-Query options, each {@code name=value}
     * @param allowMessage whether message properties are allowed (POST, PUT, DELETE) or only the session (GET)
     */
    public static @NotNull PublishOptions parse(final @NotNull List<String> query, final boolean allowMessage) {
        String session = null;
        Long expiry = null;
        final Map<String, String> props = new LinkedHashMap<>();
        final List<String> errors = new ArrayList<>();
        for (final String q : query) {
            final int eq = q.indexOf('=');
            final String name = eq < 0 ? q : q.substring(0, eq);
            final String value = eq < 0 ? "" : q.substring(eq + 1);
            if (name.equals(SESSION)) {
                session = value;
                continue;
            }
            if (!allowMessage) {
                errors.add("query parameter " + Ids.show(name) + " is not allowed here (only s)");
                continue;
            }
            if (name.equals("exp")) {
                try {
                    final long e = Long.parseLong(value);
                    if (e < 0 || e > 4_294_967_295L) {
                        throw new NumberFormatException();
                    }
                    expiry = e;
                } catch (final NumberFormatException ex) {
                    errors.add("query parameter exp must be seconds between 0 and 4294967295, but was " + Ids.show(value));
                }
                continue;
            }
            if (name.equals("receipt")) {
                if (value.equals("1") || value.equals(Props.TRUE)) {
                    props.put(Props.RECEIPT, Props.TRUE);
                } else if (!value.equals("0") && !value.equals(Props.FALSE)) {
                    errors.add("query parameter receipt must be 1 or 0, but was " + Ids.show(value));
                }
                continue;
            }
            final String prop = PROPERTY_PARAMS.get(name);
            if (prop == null) {
                errors.add("unknown query parameter " + Ids.show(name)
                        + " (known: s, cid, offline, history, receipt, only, except, exp, ifrev)");
                continue;
            }
            final String invalid = MqttStrings.error("query parameter " + name, value);
            if (invalid != null) {
                errors.add(invalid);
                continue;
            }
            props.put(prop, value);
        }
        return new PublishOptions(session, Map.copyOf(props), expiry, errors.isEmpty() ? null : String.join("; ", errors));
    }
}
