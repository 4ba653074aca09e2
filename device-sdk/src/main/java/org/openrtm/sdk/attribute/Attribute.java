package org.openrtm.sdk.attribute;

import org.jetbrains.annotations.NotNull;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * One attribute as the server has it: its value, its revision, who wrote it and when. Immutable and thread-safe.
 */
public final class Attribute {

    private final String key;
    private final byte[] value;
    private final long revision;
    private final String updatedBy;
    private final Instant updatedAt;

    /**
     * @param key       the key
     * @param value     the value (copied)
     * @param revision  the key's revision (1 for its first value, one more per write)
     * @param updatedBy the uid that wrote this value
     * @param updatedAt the server time of the write
     */
    public Attribute(final @NotNull String key, final byte @NotNull [] value, final long revision,
                     final @NotNull String updatedBy, final @NotNull Instant updatedAt) {
        this.key = Objects.requireNonNull(key, "key");
        this.value = Objects.requireNonNull(value, "value").clone();
        this.revision = revision;
        this.updatedBy = Objects.requireNonNull(updatedBy, "updatedBy");
        this.updatedAt = Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** The key. */
    public @NotNull String key() {
        return key;
    }

    /** The value's bytes (a copy). */
    public byte @NotNull [] value() {
        return value.clone();
    }

    /** The value as UTF-8 text (invalid bytes become U+FFFD; see {@link #isText()}). */
    public @NotNull String text() {
        return new String(value, StandardCharsets.UTF_8);
    }

    /** Whether the value is valid UTF-8 text. */
    public boolean isText() {
        return isUtf8(value);
    }

    /** The key's revision: 1 for its first value, one more for every write (a delete too). */
    public long revision() {
        return revision;
    }

    /** The uid that wrote this value (a service that wrote it through a request is named, not the owner). */
    public @NotNull String updatedBy() {
        return updatedBy;
    }

    /** The server time of the write. */
    public @NotNull Instant updatedAt() {
        return updatedAt;
    }

    static boolean isUtf8(final byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (final CharacterCodingException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "Attribute{" + key + "=" + (isText() && value.length <= 64 ? "'" + text() + "'" : value.length + " bytes")
                + ", rev " + revision + ", by " + updatedBy + '}';
    }
}
