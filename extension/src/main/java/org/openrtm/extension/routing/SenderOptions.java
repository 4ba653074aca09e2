package org.openrtm.extension.routing;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Limits;
import org.openrtm.protocol.Props;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a sender may say about its message in user properties ({@code rtm-offline}, {@code rtm-receipt},
 * {@code rtm-history}, {@code rtm-cid}, {@code rtm-only}, {@code rtm-except}), parsed and validated; and the server's
 * stamps. Immutable.
 *
 * @param cache   whether the message may wait in an offline cache ({@code rtm-offline}, default true)
 * @param receipt whether the sender asks for a receipt ({@code rtm-receipt}, default false; peer messages only)
 * @param history whether the message is recorded in history ({@code rtm-history}, default true)
 * @param cid     the sender's own id for de-duplication, or {@code null}
 * @param only    the whitelist of a channel message, or {@code null}
 * @param except  the blacklist of a channel message, or {@code null}
 */
public record SenderOptions(boolean cache, boolean receipt, boolean history, @Nullable String cid, @Nullable Set<String> only,
                            @Nullable Set<String> except) {

    /** Longest accepted {@code rtm-cid}, in characters. */
    public static final int MAX_CID_LENGTH = Limits.MAX_CID_LENGTH;

    /**
     * Parses the sender's properties.
     *
     * @param p        the publish
     * @param maxList  the most uids an only/except list may hold
     * @throws IllegalArgumentException naming the property, the rule and the value
     */
    public static @NotNull SenderOptions of(final @NotNull InboundPublish p, final int maxList) {
        final boolean cache = bool(p, Props.OFFLINE, true);
        final boolean receipt = bool(p, Props.RECEIPT, false);
        final boolean history = bool(p, Props.HISTORY, true);
        final String cid = p.property(Props.CID);
        if (cid != null && (cid.isEmpty() || cid.length() > MAX_CID_LENGTH)) {
            throw new IllegalArgumentException(Props.CID + " must be 1 to " + MAX_CID_LENGTH + " characters, but was "
                    + cid.length() + " characters");
        }
        final Set<String> only = list(p, Props.ONLY, maxList);
        final Set<String> except = list(p, Props.EXCEPT, maxList);
        if (only != null && except != null) {
            throw new IllegalArgumentException("a message may carry " + Props.ONLY + " or " + Props.EXCEPT + ", not both");
        }
        return new SenderOptions(cache, receipt, history, cid, only, except);
    }

    private static boolean bool(final InboundPublish p, final String name, final boolean def) {
        final String v = p.property(name);
        if (v == null) {
            return def;
        }
        if (v.equals(Props.TRUE)) {
            return true;
        }
        if (v.equals(Props.FALSE)) {
            return false;
        }
        throw new IllegalArgumentException(name + " must be true or false, but was " + Ids.show(v));
    }

    private static @Nullable Set<String> list(final InboundPublish p, final String name, final int max) {
        final String v = p.property(name);
        if (v == null) {
            return null;
        }
        final Set<String> uids = new LinkedHashSet<>();
        for (final String part : v.split(",", -1)) {
            final String uid = part.trim();
            final String error = Ids.uidError(uid);
            if (error != null) {
                throw new IllegalArgumentException(name + " must be a comma-separated list of uids: " + error);
            }
            uids.add(uid);
        }
        if (uids.size() > max) {
            throw new IllegalArgumentException(name + " may list at most " + max + " uids, but listed " + uids.size());
        }
        return uids;
    }

    /**
     * The properties a delivered message carries: the sender's application properties (everything not starting with
     * {@code rtm-}) followed by the server's {@code rtm-id} and {@code rtm-ts}.
     */
    public static @NotNull List<Map.Entry<String, String>> stamped(
            final @NotNull List<Map.Entry<String, String>> props, final @NotNull String rtmId, final long ts) {
        final List<Map.Entry<String, String>> out = new ArrayList<>(props.size() + 2);
        for (final Map.Entry<String, String> e : props) {
            if (!Props.isProtocols(e.getKey())) {
                out.add(e);
            }
        }
        out.add(Map.entry(Props.ID, rtmId));
        out.add(Map.entry(Props.TS, Long.toString(ts)));
        return out;
    }
}
