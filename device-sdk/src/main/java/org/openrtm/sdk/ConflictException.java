package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server refused an operation because the state it expected is not the current one (protocol status
 * {@code conflict}, PUBACK 0x83 or an RPC error): an attribute compare-and-set whose expected revision does not match,
 * or a call-invitation action out of order (answering a call that was canceled, cancelling a call that is over).
 * Nothing was changed.
 *
 * <p>For an attribute conflict the server's reason names the key and both revisions; {@link #key()},
 * {@link #currentRevision()} and {@link #expectedRevision()} give them when the reason could be read (they are null
 * otherwise, for example for call conflicts). Read the attribute again and retry with its current revision.
 * Immutable and thread-safe.
 */
public final class ConflictException extends RtmException {

    private static final long serialVersionUID = 1L;
    private static final Pattern ATTRIBUTE = Pattern.compile(
            "attribute '([^']+)' .*?is at revision (\\d+), but the write expected revision (\\d+)");

    private final String key;
    private final Long current;
    private final Long expected;

    /**
     * @param message the server's reason string or a description; an attribute conflict's key and revisions are
     *                read from it
     */
    public ConflictException(final @NotNull String message) {
        super(RtmErrorCode.CONFLICT, message, null);
        final Matcher m = ATTRIBUTE.matcher(message);
        if (m.find()) {
            key = m.group(1);
            current = Long.valueOf(m.group(2));
            expected = Long.valueOf(m.group(3));
        } else {
            key = null;
            current = null;
            expected = null;
        }
    }

    /** The attribute key whose revision did not match, or null if this is not an attribute conflict. */
    public @Nullable String key() {
        return key;
    }

    /** The attribute's revision on the server when the write was refused (0: it has no value), or null. */
    public @Nullable Long currentRevision() {
        return current;
    }

    /** The revision the write expected, or null. */
    public @Nullable Long expectedRevision() {
        return expected;
    }
}
