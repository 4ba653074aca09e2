package org.openrtm.sdk.attribute;

import org.jetbrains.annotations.NotNull;
import org.openrtm.protocol.Ids;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The values of one attribute write, text or bytes, and optionally the revisions the write expects (compare-and-set).
 * Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * AttributeUpdate u = AttributeUpdate.builder()
 *         .put("owner", "alice")
 *         .expectRevision("owner", 4)       // only if "owner" is still at revision 4
 *         .put("photo", jpegBytes)
 *         .build();
 * }</pre>
 */
public final class AttributeUpdate {

    private final Map<String, byte[]> values;
    private final Map<String, Long> expected;

    private AttributeUpdate(final Builder b) {
        final Map<String, byte[]> v = new LinkedHashMap<>();
        b.values.forEach((k, bytes) -> v.put(k, bytes.clone()));
        this.values = Collections.unmodifiableMap(v);
        this.expected = Collections.unmodifiableMap(new LinkedHashMap<>(b.expected));
    }

    /** A builder with no values. */
    public static @NotNull Builder builder() {
        return new Builder();
    }

    /**
     * An update of text values, without revision checks.
     *
     * @param values keys and their text values (copied)
     * @return the update
     * @throws IllegalArgumentException if a key is invalid or a value is empty
     */
    public static @NotNull AttributeUpdate of(final @NotNull Map<String, String> values) {
        final Builder b = builder();
        Objects.requireNonNull(values, "values").forEach(b::put);
        return b.build();
    }

    /** The keys and values, in the order they were put (unmodifiable; the arrays are copies made at build time). */
    public @NotNull Map<String, byte[]> values() {
        return values;
    }

    /** The revision each named key must have for the write to happen (0: the key must have no value). Unmodifiable. */
    public @NotNull Map<String, Long> expectedRevisions() {
        return expected;
    }

    /** Whether the write is conditional (a compare-and-set). */
    public boolean isConditional() {
        return !expected.isEmpty();
    }

    @Override
    public String toString() {
        return "AttributeUpdate{" + values.keySet() + (expected.isEmpty() ? "" : ", expects " + expected) + '}';
    }

    /** Builds an {@link AttributeUpdate}. Not thread-safe. Every method validates its arguments at once. */
    public static final class Builder {
        private final Map<String, byte[]> values = new LinkedHashMap<>();
        private final Map<String, Long> expected = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Sets a key to a text value (stored as UTF-8).
         *
         * @param key   1 to 32 characters of {@code A-Z a-z 0-9 _ - . @ : ~}
         * @param value the value, not empty (to delete a key use {@link Attributes#delete})
         * @return this
         * @throws IllegalArgumentException if the key is invalid or the value is empty
         */
        public @NotNull Builder put(final @NotNull String key, final @NotNull String value) {
            Objects.requireNonNull(value, "value");
            return put(key, value.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Sets a key to a binary value.
         *
         * @param key   1 to 32 characters of {@code A-Z a-z 0-9 _ - . @ : ~}
         * @param value the value, not empty (copied)
         * @return this
         * @throws IllegalArgumentException if the key is invalid or the value is empty
         */
        public @NotNull Builder put(final @NotNull String key, final byte @NotNull [] value) {
            checkKey(key);
            Objects.requireNonNull(value, "value");
            if (value.length == 0) {
                throw new IllegalArgumentException("value of attribute '" + key
                        + "' must not be empty, but was; delete the key to remove it");
            }
            values.put(key, value.clone());
            return this;
        }

        /**
         * Makes the write conditional: it happens only if {@code key} is at {@code revision} on the server (0: the key
         * has no value). Otherwise the whole write fails with {@link org.openrtm.sdk.ConflictException} and nothing
         * changes. The key need not be one of the values (a replace may check a key it deletes).
         *
         * @param key      the key
         * @param revision the expected revision, 0 or more
         * @return this
         * @throws IllegalArgumentException if the key is invalid or the revision negative
         */
        public @NotNull Builder expectRevision(final @NotNull String key, final long revision) {
            checkKey(key);
            if (revision < 0) {
                throw new IllegalArgumentException("revision of '" + key + "' must be 0 or more, but was " + revision);
            }
            expected.put(key, revision);
            return this;
        }

        /**
         * Makes the write conditional on {@code key} having no value (same as {@code expectRevision(key, 0)}).
         *
         * @param key the key
         * @return this
         * @throws IllegalArgumentException if the key is invalid
         */
        public @NotNull Builder expectAbsent(final @NotNull String key) {
            return expectRevision(key, 0);
        }

        /** The update. */
        public @NotNull AttributeUpdate build() {
            return new AttributeUpdate(this);
        }
    }

    static void checkKey(final String key) {
        final String error = Ids.keyError(Objects.requireNonNull(key, "key"), Ids.MAX_KEY_LENGTH);
        if (error != null) {
            throw new IllegalArgumentException("key: " + error);
        }
    }
}
