package org.openrtm.sdk.attribute;

import org.jetbrains.annotations.NotNull;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Attributes of users and channels: {@link org.openrtm.sdk.RtmClient#attributes()}. Thread-safe: call from any
 * thread; futures complete and listeners run on the client's callback executor.
 *
 * <p>Every key has a revision: 1 for its first value, one more for every write, a delete included; revisions never go
 * back. A write can be made conditional on the revisions it expects ({@link AttributeUpdate.Builder#expectRevision},
 * {@link #deleteIf}): if any does not match, the whole write fails with {@link org.openrtm.sdk.ConflictException} and
 * nothing changes. The writes return the new revision of every key they changed.
 *
 * <p>Writes are all or nothing (one request to the server). The server's limits (defaults: keys of 32 characters,
 * values of 8192 bytes, 32 keys per owner, 32 KB per channel) fail a write with
 * {@link org.openrtm.sdk.PayloadTooLargeException}; writing another user's attributes, or those of a channel this user
 * is not in, with {@link org.openrtm.sdk.ForbiddenException}. Roles {@code service} and {@code admin} may write any.
 *
 * <p><b>Reconnects.</b> Unconditional writes are idempotent and are sent again after a reconnect, like every request.
 * A conditional write is sent at most once: if the connection drops after it was sent, it fails with
 * {@link org.openrtm.sdk.RtmTimeoutException} ({@code wasSent()} true: its outcome is unknown; read and decide).
 */
public interface Attributes {

    /**
     * Reads every attribute of an owner ({@code attr.get}). Anyone may read.
     *
     * @param owner whose
     * @return the attributes by key, in key order (unmodifiable; empty if there are none); fails like any request
     */
    @NotNull CompletableFuture<Map<String, Attribute>> get(@NotNull AttributeOwner owner);

    /**
     * Reads some attributes of an owner.
     *
     * @param owner whose
     * @param keys  the keys (at least one)
     * @return the keys that have a value (unmodifiable); fails like any request
     * @throws IllegalArgumentException if the list is empty or holds an invalid key
     */
    @NotNull CompletableFuture<Map<String, Attribute>> get(@NotNull AttributeOwner owner, @NotNull Collection<String> keys);

    /**
     * Replaces an owner's attributes: the given keys become the whole set, every other key is deleted.
     *
     * @param owner  whose
     * @param values keys and text values
     * @return the new revision of every key changed or deleted (unmodifiable); fails with
     *         {@link org.openrtm.sdk.ForbiddenException}, {@link org.openrtm.sdk.PayloadTooLargeException},
     *         {@link org.openrtm.sdk.InvalidRequestException}, and like any request
     * @throws IllegalArgumentException if a key is invalid or a value empty
     */
    @NotNull CompletableFuture<Map<String, Long>> set(@NotNull AttributeOwner owner, @NotNull Map<String, String> values);

    /**
     * Replaces an owner's attributes with the update's values, if its expected revisions match.
     *
     * @param owner  whose
     * @param update the values and the expected revisions
     * @return the new revision of every key changed or deleted; fails with {@link org.openrtm.sdk.ConflictException} if
     *         an expected revision does not match, else like {@link #set(AttributeOwner, Map)}
     */
    @NotNull CompletableFuture<Map<String, Long>> set(@NotNull AttributeOwner owner, @NotNull AttributeUpdate update);

    /**
     * Sets the given keys and keeps the others.
     *
     * @param owner  whose
     * @param values keys and text values
     * @return the new revision of every key set; fails like {@link #set(AttributeOwner, Map)}
     * @throws IllegalArgumentException if a key is invalid or a value empty
     */
    @NotNull CompletableFuture<Map<String, Long>> merge(@NotNull AttributeOwner owner, @NotNull Map<String, String> values);

    /**
     * Sets the update's keys and keeps the others, if its expected revisions match.
     *
     * @param owner  whose
     * @param update the values and the expected revisions
     * @return the new revision of every key set; fails like {@link #set(AttributeOwner, AttributeUpdate)}
     */
    @NotNull CompletableFuture<Map<String, Long>> merge(@NotNull AttributeOwner owner, @NotNull AttributeUpdate update);

    /**
     * Deletes keys. Keys that have no value are skipped.
     *
     * @param owner whose
     * @param keys  the keys (at least one)
     * @return the revision of every key deleted (its tombstone); fails like {@link #set(AttributeOwner, Map)}
     * @throws IllegalArgumentException if the list is empty or holds an invalid key
     */
    @NotNull CompletableFuture<Map<String, Long>> delete(@NotNull AttributeOwner owner, @NotNull Collection<String> keys);

    /**
     * Deletes keys only if each is at the expected revision (compare-and-delete).
     *
     * @param owner             whose
     * @param expectedRevisions the keys to delete and the revision each must have
     * @return the revision of every key deleted; fails with {@link org.openrtm.sdk.ConflictException} if a revision does
     *         not match (then nothing is deleted)
     * @throws IllegalArgumentException if the map is empty, or holds an invalid key or a negative revision
     */
    @NotNull CompletableFuture<Map<String, Long>> deleteIf(@NotNull AttributeOwner owner,
                                                           @NotNull Map<String, Long> expectedRevisions);

    /**
     * Deletes every attribute of an owner.
     *
     * @param owner whose
     * @return the revision of every key deleted; fails like {@link #set(AttributeOwner, Map)}
     */
    @NotNull CompletableFuture<Map<String, Long>> clear(@NotNull AttributeOwner owner);

    /**
     * Starts watching an owner's attributes: every key's current value, then every change and deletion, goes to the
     * {@link AttributeListener}s. A subscription to the owner's retained attribute topics; kept across reconnects
     * like channels and presence watches. Watching an owner already watched changes nothing.
     *
     * @param owner whose
     * @return completes when the server granted the watch; fails with {@link org.openrtm.sdk.ForbiddenException},
     *         {@link org.openrtm.sdk.RtmTimeoutException}, {@link org.openrtm.sdk.NotLoggedInException}
     */
    @NotNull CompletableFuture<Void> subscribe(@NotNull AttributeOwner owner);

    /**
     * Stops watching an owner's attributes. Does nothing for an owner not watched.
     *
     * @param owner whose
     * @return completes when the server confirmed
     */
    @NotNull CompletableFuture<Void> unsubscribe(@NotNull AttributeOwner owner);

    /** The owners watched (or being subscribed to), a snapshot (unmodifiable). */
    @NotNull Set<AttributeOwner> subscriptions();

    /**
     * Adds a listener. Add it before {@link #subscribe(AttributeOwner)} to see the values at the start.
     *
     * @param listener the listener
     */
    void addListener(@NotNull AttributeListener listener);

    /**
     * Removes a listener; does nothing if it is not there.
     *
     * @param listener the listener
     */
    void removeListener(@NotNull AttributeListener listener);
}
