package org.openrtm.protocol;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/**
 * Validation of the identifiers that appear as topic levels: user ids (uid), channel ids (cid) and attribute
 * keys. All three use the same alphabet, {@code A-Z a-z 0-9 _ - . @ : ~}; uids and cids are 1 to 64 bytes,
 * keys 1 to 32 bytes (the alphabet is ASCII, so bytes and characters are the same).
 *
 * <p>Every method is static, side-effect free and thread-safe.
 */
public final class Ids {

    /** Maximum length of a uid or cid, in bytes. */
    public static final int MAX_ID_LENGTH = 64;
    /** Maximum length of an attribute key, in bytes (the protocol's hard limit; deployments may lower it). */
    public static final int MAX_KEY_LENGTH = 32;
    /** The permitted characters, as the protocol writes them. */
    public static final String ALPHABET = "A-Z a-z 0-9 _ - . @ : ~";

    private static final int SHOWN_VALUE_CHARS = 80;

    private Ids() {
    }

    /** Whether {@code c} belongs to the identifier alphabet. */
    public static boolean isIdChar(final char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '-' || c == '.' || c == '@' || c == ':' || c == '~';
    }

    /** Whether {@code value} is a valid uid. */
    public static boolean isValidUid(final @Nullable String value) {
        return check(value, MAX_ID_LENGTH) == null;
    }

    /** Whether {@code value} is a valid channel id. */
    public static boolean isValidCid(final @Nullable String value) {
        return check(value, MAX_ID_LENGTH) == null;
    }

    /** Whether {@code value} is a valid attribute key (1 to {@value #MAX_KEY_LENGTH} bytes). */
    public static boolean isValidKey(final @Nullable String value) {
        return check(value, MAX_KEY_LENGTH) == null;
    }

    /**
     * Checks a uid.
     *
     * @return {@code null} when valid, otherwise a sentence that names the rule, the limit and the value
     */
    public static @Nullable String uidError(final @Nullable String value) {
        return describe("uid", value, MAX_ID_LENGTH);
    }

    /** Like {@link #uidError(String)}, for a channel id. */
    public static @Nullable String cidError(final @Nullable String value) {
        return describe("channel id", value, MAX_ID_LENGTH);
    }

    /** Like {@link #uidError(String)}, for an attribute key with the given maximum length. */
    public static @Nullable String keyError(final @Nullable String value, final int maxLength) {
        return describe("attribute key", value, Math.min(maxLength, MAX_KEY_LENGTH));
    }

    /**
     * Checks an identifier of any kind.
     *
     * @param what      how the identifier is called in the message, e.g. {@code "uid"}
     * @param value     the value to check
     * @param maxLength the maximum length in bytes
     * @return {@code null} when valid, otherwise a sentence that names the rule, the limit and the value
     */
    public static @Nullable String describe(final @NotNull String what, final @Nullable String value, final int maxLength) {
        final String problem = check(value, maxLength);
        if (problem == null) {
            return null;
        }
        return what + " must be 1 to " + maxLength + " characters of " + ALPHABET + ", but " + problem;
    }

    /** Quotes a value for an error message, shortened so that a hostile value cannot flood a log or a reason string. */
    public static @NotNull String show(final @Nullable String value) {
        if (value == null) {
            return "null";
        }
        final StringBuilder sb = new StringBuilder(Math.min(value.length(), SHOWN_VALUE_CHARS) + 8).append('\'');
        final int n = Math.min(value.length(), SHOWN_VALUE_CHARS);
        for (int i = 0; i < n; i++) {
            final char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('\'');
        if (value.length() > SHOWN_VALUE_CHARS) {
            sb.append("... (").append(value.length()).append(" characters)");
        }
        return sb.toString();
    }

    private static @Nullable String check(final @Nullable String value, final int maxLength) {
        if (value == null) {
            return "it was missing";
        }
        if (value.isEmpty()) {
            return "it was empty";
        }
        if (value.length() > maxLength) {
            return "it was " + value.length() + " characters long: " + show(value);
        }
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            if (!isIdChar(c)) {
                final String shown = (c < 0x20 || c == 0x7f || c == ' ')
                        ? String.format("U+%04X", (int) c)
                        : "'" + c + "'";
                return "it was " + show(value) + " (character " + shown + " at index " + i + ")";
            }
        }
        return null;
    }
}
