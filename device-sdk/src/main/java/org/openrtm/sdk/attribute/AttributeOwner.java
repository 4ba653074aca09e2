package org.openrtm.sdk.attribute;

import org.jetbrains.annotations.NotNull;
import org.openrtm.protocol.Ids;

import java.util.Objects;

/**
 * Whose attributes: a user's ({@link #user(String)}) or a channel's ({@link #channel(String)}). A user writes only its
 * own attributes; a channel's are written by its members; anyone reads both. Immutable and thread-safe; equal when
 * the scope and the id are.
 */
public final class AttributeOwner {

    /** The two kinds of owner. */
    public enum Scope {
        /** A user's attributes ({@code rtm/user/{uid}/attr/{key}}). */
        USER("user"),
        /** A channel's attributes ({@code rtm/channel/{cid}/attr/{key}}). */
        CHANNEL("channel");

        private final String wire;

        Scope(final String wire) {
            this.wire = wire;
        }

        /** The protocol's name of the scope: {@code user} or {@code channel}. */
        public @NotNull String wireName() {
            return wire;
        }
    }

    private final Scope scope;
    private final String id;

    private AttributeOwner(final Scope scope, final String id) {
        this.scope = scope;
        this.id = id;
    }

    /**
     * A user's attributes.
     *
     * @param uid the user
     * @return the owner
     * @throws IllegalArgumentException if the uid is invalid
     */
    public static @NotNull AttributeOwner user(final @NotNull String uid) {
        final String error = Ids.uidError(Objects.requireNonNull(uid, "uid"));
        if (error != null) {
            throw new IllegalArgumentException("uid: " + error);
        }
        return new AttributeOwner(Scope.USER, uid);
    }

    /**
     * A channel's attributes.
     *
     * @param cid the channel id
     * @return the owner
     * @throws IllegalArgumentException if the channel id is invalid
     */
    public static @NotNull AttributeOwner channel(final @NotNull String cid) {
        final String error = Ids.cidError(Objects.requireNonNull(cid, "cid"));
        if (error != null) {
            throw new IllegalArgumentException("cid: " + error);
        }
        return new AttributeOwner(Scope.CHANNEL, cid);
    }

    /** User or channel. */
    public @NotNull Scope scope() {
        return scope;
    }

    /** The uid or the channel id. */
    public @NotNull String id() {
        return id;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof AttributeOwner && ((AttributeOwner) o).scope == scope && ((AttributeOwner) o).id.equals(id);
    }

    @Override
    public int hashCode() {
        return scope.hashCode() * 31 + id.hashCode();
    }

    @Override
    public String toString() {
        return scope.wireName() + " " + id;
    }
}
