package org.openrtm.gateway.internal.translate;

import org.eclipse.californium.core.coap.OptionSet;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Props;

import java.util.List;
import java.util.Map;

/**
 * Attribute revisions in CoAP terms. An attribute's revision ({@code rtm-rev}) is its entity tag: the gateway sends it
 * as the ETag option (the revision as an unsigned big-endian number in 1 to 8 bytes) on attribute reads and writes,
 * and translates the conditional request options of a PUT or DELETE into the server's compare-and-set
 * ({@code rtm-if-rev}): {@code If-Match: <etag>} = "only at this revision", {@code If-None-Match} = "only if the key
 * has no value" ({@code rtm-if-rev: 0}). A failed condition is the server's {@code conflict}, 4.12 Precondition
 * Failed, exactly as RFC 7252 answers a failed If-Match. Pure functions; thread-safe.
 */
public final class Revisions {

    private Revisions() {
    }

    /**
     * The ETag of a revision.
     *
     * @param rev the {@code rtm-rev} property (decimal), or null
     * @return the unsigned big-endian bytes of the revision (at least one), or null if {@code rev} is not a revision
     */
    public static byte @Nullable [] etag(final @Nullable String rev) {
        if (rev == null || !Envelope.isDigits(rev)) {
            return null;
        }
        final long v;
        try {
            v = Long.parseLong(rev);
        } catch (final NumberFormatException e) {
            return null;
        }
        int n = 1;
        while (n < 8 && (v >>> (8 * n)) != 0) {
            n++;
        }
        final byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[n - 1 - i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    /**
     * The revision an ETag stands for.
     *
     * @param etag the option's bytes
     * @return the revision, or -1 if the bytes are not an ETag this gateway sent (empty, longer than 8 bytes, or a
     *         number above {@link Long#MAX_VALUE})
     */
    public static long revision(final byte @NotNull [] etag) {
        if (etag.length == 0 || etag.length > 8 || etag.length == 8 && etag[0] < 0) {
            return -1;
        }
        long v = 0;
        for (final byte b : etag) {
            v = v << 8 | (b & 0xFF);
        }
        return v;
    }

    /**
     * Translates the conditional options of an attribute write into {@code rtm-if-rev}, next to an {@code ifrev} query
     * parameter that may already be in {@code props}.
     *
     * @param options the request's options
     * @param props   the user properties of the write (changed: {@code rtm-if-rev} may be set)
     * @return why the conditions cannot be translated (for 4.00), or null
     */
    public static @Nullable String condition(final @NotNull OptionSet options, final @NotNull Map<String, String> props) {
        return condition(options.getIfMatch(), options.hasIfNoneMatch(), props);
    }

    /**
     * Translates If-Match and If-None-Match into {@code rtm-if-rev}.
     *
     * @param ifMatch     the If-Match options' values (empty list: none)
     * @param ifNoneMatch whether If-None-Match is present
     * @param props       the user properties of the write (changed: {@code rtm-if-rev} may be set)
     * @return why the conditions cannot be translated (for 4.00), or null
     */
    public static @Nullable String condition(final @NotNull List<byte[]> ifMatch, final boolean ifNoneMatch,
                                             final @NotNull Map<String, String> props) {
        final String query = props.get(Props.IF_REV);
        final String wanted;
        if (ifNoneMatch && !ifMatch.isEmpty()) {
            return "If-Match and If-None-Match exclude each other";
        } else if (ifNoneMatch) {
            wanted = "0";
        } else if (ifMatch.size() > 1) {
            return "give one If-Match (the ETag of the revision the write expects), not " + ifMatch.size();
        } else if (ifMatch.size() == 1) {
            final long rev = revision(ifMatch.get(0));
            if (rev < 0) {
                return "If-Match must be the ETag of an attribute (its revision, 1 to 8 bytes), but had "
                        + ifMatch.get(0).length + " bytes";
            }
            wanted = Long.toString(rev);
        } else {
            return null;
        }
        if (query != null && !query.equals(wanted)) {
            return "the query's ifrev=" + query + " and the conditional option (revision " + wanted + ") disagree";
        }
        props.put(Props.IF_REV, wanted);
        return null;
    }
}
