package org.openrtm.sdk.attribute;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.time.Instant;
import java.util.Objects;

/**
 * A watched owner's attribute as it is now: set or changed ({@link #attribute()} holds the value), or deleted
 * ({@link #isDeleted()}). Immutable and thread-safe.
 */
public final class AttributeEvent {

    private final AttributeOwner owner;
    private final String key;
    private final Attribute attribute;
    private final long revision;
    private final String updatedBy;
    private final Instant updatedAt;
    private final boolean initial;

    /**
     * @param owner     whose attribute
     * @param key       the key
     * @param attribute the new value, or null if the key was deleted
     * @param revision  the key's revision after the change
     * @param updatedBy who changed it
     * @param updatedAt when (server time)
     * @param initial   whether this is the value the key had when the watch started (not a change)
     */
    public AttributeEvent(final @NotNull AttributeOwner owner, final @NotNull String key, final @Nullable Attribute attribute,
                          final long revision, final @NotNull String updatedBy, final @NotNull Instant updatedAt,
                          final boolean initial) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.key = Objects.requireNonNull(key, "key");
        this.attribute = attribute;
        this.revision = revision;
        this.updatedBy = Objects.requireNonNull(updatedBy, "updatedBy");
        this.updatedAt = Objects.requireNonNull(updatedAt, "updatedAt");
        this.initial = initial;
    }

    /** Whose attribute. */
    public @NotNull AttributeOwner owner() {
        return owner;
    }

    /** The key. */
    public @NotNull String key() {
        return key;
    }

    /** The new value, or null if the key was deleted. */
    public @Nullable Attribute attribute() {
        return attribute;
    }

    /** Whether the key was deleted. */
    public boolean isDeleted() {
        return attribute == null;
    }

    /** The key's revision after this change (0 if the server did not say). */
    public long revision() {
        return revision;
    }

    /** Who made the change ("" if the server did not say). */
    public @NotNull String updatedBy() {
        return updatedBy;
    }

    /** When the change was made (server time; the epoch if the server did not say). */
    public @NotNull Instant updatedAt() {
        return updatedAt;
    }

    /** Whether this is the value the key had when watching started, rather than a change seen live. */
    public boolean isInitial() {
        return initial;
    }

    @Override
    public String toString() {
        return "AttributeEvent{" + owner + ", " + key + (attribute == null ? " deleted" : "=" + attribute) + ", rev "
                + revision + (initial ? ", initial" : "") + '}';
    }
}
